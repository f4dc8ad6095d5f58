-- The copy of an issue that is sent when its newsletter counts clicks: the
-- snapshot (html, text_body) with each countable link pointing at
-- BASE_URL/r/{issue}/{link_no}. Written with issue_links at compile and on
-- every re-render; NULL for issues compiled before, which are sent as they
-- are. The archive keeps serving html, with the original links.
ALTER TABLE issues
    ADD COLUMN sent_html text,
    ADD COLUMN sent_text text;
