-- Delivery engine: a claim no longer rewrites the row's status. A claimed
-- delivery stays 'pending' with a lease (locked_until in the future); an
-- expired lease makes it claimable again, so no rescuer has to find it.
-- The claim then changes no indexed column, and with room left on each
-- page (fillfactor) PostgreSQL updates it in place (a HOT update) instead
-- of writing a new entry into every index of the table. This follows
-- SPEC §2: a delivery is pending, sent or failed.

-- Rows under a lease when this runs keep it, as pending rows.
UPDATE deliveries SET status = 'pending' WHERE status = 'sending';

DROP INDEX deliveries_sending_idx;

ALTER TABLE deliveries DROP CONSTRAINT deliveries_status_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_status_check CHECK (status IN ('pending', 'sent', 'failed'));

-- Room for a second version of every row on its page: a claim takes rows
-- that were written side by side by the fan-out. Applies to pages written
-- from now on, which is every issue's fan-out.
ALTER TABLE deliveries SET (fillfactor = 50);
