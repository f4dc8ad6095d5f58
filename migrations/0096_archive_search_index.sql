-- Archive search: with GIN's fast update, new items wait in the index's
-- pending list, which every search scans in full until a vacuum merges it;
-- right after an issue is compiled (when readers search) that doubled a
-- search's cost. Items are written rarely and read by every search, so
-- they go straight into the index.
ALTER INDEX items_search_idx SET (fastupdate = off);
SELECT gin_clean_pending_list('items_search_idx'::regclass);
