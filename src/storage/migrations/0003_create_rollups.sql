-- Rollups for the analytics endpoints, kept up to date by every ingest transaction
-- (storage/rollup_writer.cpp) for exactly the events it newly stored, so they are as
-- exact as the events table and commit or vanish with it. docs/schema.md has the
-- measurements behind them.

-- One row per user and project: when the user was first seen (SPEC's cohort rule),
-- and a dense number that is the user's bit in the activity bitmaps below.
CREATE TABLE users (
    project_id     integer     NOT NULL,
    user_id        text        NOT NULL,
    user_key       integer     GENERATED ALWAYS AS IDENTITY,
    first_seen_at  timestamptz NOT NULL,
    PRIMARY KEY (project_id, user_id)
);

CREATE INDEX users_first_seen ON users (project_id, first_seen_at);

-- Who was active on each UTC day, as bitmaps of 8,192 users each: bit (user_key % 8192)
-- of block (user_key / 8192) is set when that user had an event that day. A day of
-- 100,000 users is 13 rows of 1 KiB, so a month of daily active users is read in a
-- few milliseconds, and retention is a few AND operations per cohort.
-- Rows are updated in place by every transaction that brings a new (day, user) pair:
-- the fill factor leaves room for those updates to stay on the same page (HOT).
CREATE TABLE user_activity (
    project_id  integer   NOT NULL,
    day         date      NOT NULL,
    block       integer   NOT NULL,
    users       bit(8192) NOT NULL,
    PRIMARY KEY (project_id, day, block)
) WITH (fillfactor = 50);

-- How many events of each type each UTC day had.
CREATE TABLE daily_event_counts (
    project_id  integer NOT NULL,
    day         date    NOT NULL,
    event_type  text    NOT NULL,
    events      bigint  NOT NULL,
    PRIMARY KEY (project_id, day, event_type)
) WITH (fillfactor = 50);

-- Events stored before this migration. Users are numbered in the order they were
-- first seen, as the writers number them.
INSERT INTO users (project_id, user_id, first_seen_at)
SELECT project_id, user_id, min(occurred_at)
FROM events
GROUP BY project_id, user_id
ORDER BY min(occurred_at), project_id, user_id;

INSERT INTO user_activity (project_id, day, block, users)
SELECT a.project_id, a.day, u.user_key / 8192,
       bit_or(set_bit(repeat('0', 8192)::bit(8192), u.user_key % 8192, 1))
FROM (SELECT DISTINCT project_id, user_id, (occurred_at AT TIME ZONE 'UTC')::date AS day
      FROM events) AS a
JOIN users AS u USING (project_id, user_id)
GROUP BY a.project_id, a.day, u.user_key / 8192;

INSERT INTO daily_event_counts (project_id, day, event_type, events)
SELECT project_id, (occurred_at AT TIME ZONE 'UTC')::date, event_type, count(*)
FROM events
GROUP BY 1, 2, 3;
