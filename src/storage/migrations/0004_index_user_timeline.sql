-- A user's timeline (GET /users/{user_id}/events), newest first with a keyset cursor
-- on (occurred_at, event_id). Without it each page would scan the whole table. It is
-- the one b-tree on events besides the primary key, and it costs ingest (measured in
-- docs/schema.md); the per-type and per-time analytics use rollups instead.
CREATE INDEX events_user_timeline ON events (project_id, user_id, occurred_at, event_id);
