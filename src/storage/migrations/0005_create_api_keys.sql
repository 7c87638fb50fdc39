-- API keys: who is calling, for which project, with which scope and budget.
--
-- Only the SHA-256 of a key is stored; the key itself is shown once, by
-- `eventline keys create`, and is nowhere else. key_prefix ("evl_" and 8 more
-- characters) is kept in clear so that people can tell keys apart in listings and
-- metrics; it is too short to authenticate with.
--
-- Rates are per second; NULL means the server's default (--default-events-per-second,
-- --default-requests-per-second). A revoked key keeps its row, so that listings and
-- the logs that name its prefix stay explainable.
CREATE TABLE api_keys (
    key_id               bigint           GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id           integer          NOT NULL DEFAULT 1 REFERENCES projects (id),
    name                 text             NOT NULL,
    key_hash             bytea            NOT NULL UNIQUE CHECK (octet_length(key_hash) = 32),
    key_prefix           text             NOT NULL,
    scope                text             NOT NULL CHECK (scope IN ('ingest', 'read', 'all')),
    events_per_second    double precision CHECK (events_per_second > 0),
    requests_per_second  double precision CHECK (requests_per_second > 0),
    created_at           timestamptz      NOT NULL DEFAULT now(),
    revoked_at           timestamptz
);

-- `keys revoke PREFIX` and people looking a key up by what a log line showed.
CREATE INDEX api_keys_prefix ON api_keys (key_prefix);
