-- Fan-out in chunks: the move to 'sending' commits with the first chunk of
-- deliveries, so senders start within milliseconds however long the list;
-- later chunks follow in their own transactions. fanout_after is the last
-- subscriber id fanned out while the fan-out is unfinished, NULL once it
-- is done. A fan-out cut off by a crash is continued from there by any
-- sender process; the issue is not 'sent' before its fan-out is done.
ALTER TABLE issues ADD COLUMN fanout_after bigint;
