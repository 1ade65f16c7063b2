-- Imports (issue 11). The clicks a link had in the system it was imported from: shown as part of
-- its click count (clicks + imported_clicks), never mixed into the rollups.
ALTER TABLE links ADD COLUMN imported_clicks BIGINT NOT NULL DEFAULT 0;

-- An import job: queued -> running -> done | failed | cancelled. position is the checkpoint (data
-- rows consumed), written in the same transaction as the links of each chunk, so a resumed job
-- never imports a row twice. owner and lease_until: the node running it, until when.
CREATE TABLE import_jobs (
    id          TEXT    PRIMARY KEY,
    format      TEXT    NOT NULL,
    on_conflict TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    created_by  BIGINT,
    size_bytes  BIGINT NOT NULL,
    total       BIGINT,
    position    BIGINT NOT NULL DEFAULT 0,
    imported    BIGINT NOT NULL DEFAULT 0,
    skipped     BIGINT NOT NULL DEFAULT 0,
    failed      BIGINT NOT NULL DEFAULT 0,
    attempts    BIGINT NOT NULL DEFAULT 0,
    error       TEXT,
    owner       TEXT,
    lease_until BIGINT,
    created_at  BIGINT NOT NULL,
    started_at  BIGINT,
    finished_at BIGINT
);
CREATE INDEX import_jobs_status ON import_jobs (status, created_at);

-- The uploaded file, in parts of up to 1 MiB, so any node can run (or resume) the job.
CREATE TABLE import_parts (
    job_id TEXT    NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
    seq    BIGINT NOT NULL,
    data   BYTEA   NOT NULL,
    PRIMARY KEY (job_id, seq)
);

-- Dead letters: each row that could not be imported, as a plain-CSV line, with its reason.
CREATE TABLE import_failures (
    job_id TEXT    NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
    row_no BIGINT NOT NULL,
    fields TEXT    NOT NULL,
    reason TEXT    NOT NULL,
    PRIMARY KEY (job_id, row_no)
);
