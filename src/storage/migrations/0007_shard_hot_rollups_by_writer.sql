-- Each writer connection keeps its own rows of the two rollups that every transaction
-- updates in place, so that concurrent writers stop queueing on each other's row
-- locks.
--
-- Events arrive roughly in time order, so every group adds to the same few rows:
-- today's counts per type and today's activity bitmaps. A row updated by one open
-- transaction is locked until it commits, so a second writer waited for the first
-- one's COMMIT, fsync included, before it could commit itself (docs/benchmarks.md).
-- With a shard per writer (storage/rollup_writer.hpp) the rows are disjoint; readers
-- add the shards' counts and OR their bitmaps, a few more small rows per day.
-- Rows stored before are shard 0, which is also the default of anything else that
-- inserts here.
ALTER TABLE user_activity ADD COLUMN shard smallint NOT NULL DEFAULT 0;
ALTER TABLE user_activity DROP CONSTRAINT user_activity_pkey,
    ADD PRIMARY KEY (project_id, day, block, shard);

ALTER TABLE daily_event_counts ADD COLUMN shard smallint NOT NULL DEFAULT 0;
ALTER TABLE daily_event_counts DROP CONSTRAINT daily_event_counts_pkey,
    ADD PRIMARY KEY (project_id, day, event_type, shard);
