-- Import speed (issue 17): the list/status index of 0002 cost every
-- imported membership an index entry (0.75 s of server CPU per million)
-- and served only a list's counts (kept in list_counts since 0180), the
-- export and the deletion of a list. Those two now read the table
-- (about 0.1 s per million memberships, admin actions); fan-out, the send
-- audience, claims, unsubscribes, preferences and the per-subscriber
-- history never used it (their plans are the same without it), and the
-- issue report's unsubscribes use subscriptions_left_by_token_idx.
DROP INDEX subscriptions_list_status_idx;
