-- A user's first-seen day (SPEC's cohort rule) is the first day whose user_activity
-- bitmap has the user's bit, so `users` no longer keeps a first-seen time of its own.
--
-- Keeping it cost every ingest transaction an UPDATE of each user the group saw
-- earlier than before, with a new index entry each time. Events seldom arrive in
-- exact time order (clients batch and retry, and backfills and imports come in any
-- order), so that was most of what numbering users cost: about a fifth of the database's active time on 10-event batches
-- (docs/benchmarks.md).
-- Retention now reads the days before its window as one OR per block of bitmaps.
DROP INDEX users_first_seen;
ALTER TABLE users DROP COLUMN first_seen_at;
