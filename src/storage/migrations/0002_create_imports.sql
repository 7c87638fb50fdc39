-- One row per run of `eventline import`: the importer is a short-lived process, so
-- this is where operators (and the service's /metrics) see what it did.
-- The counts are updated after each committed chunk, so a crashed run shows what it
-- had committed; its outcome stays 'running' until someone looks.
CREATE TABLE imports (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id   integer     NOT NULL,
    source       text        NOT NULL,                 -- the file as given, or '-'
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    rows_read    bigint      NOT NULL DEFAULT 0,
    inserted     bigint      NOT NULL DEFAULT 0,
    duplicates   bigint      NOT NULL DEFAULT 0,
    rejected     bigint      NOT NULL DEFAULT 0,
    outcome      text        NOT NULL DEFAULT 'running'
        CHECK (outcome IN ('running', 'succeeded', 'completed_with_rejects', 'failed',
                           'interrupted')),
    error        text,
    host         text        NOT NULL,
    pid          integer     NOT NULL
);

CREATE INDEX imports_started_at ON imports (started_at DESC);
