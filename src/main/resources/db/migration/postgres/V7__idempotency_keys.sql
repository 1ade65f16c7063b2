-- Idempotency-Key (draft-ietf-httpapi-idempotency-key-header) for POST /api/v1/links and /links/batch.
-- One row per API key and idempotency key. While the first request runs, state is 'running' and
-- token names the attempt that owns it; a claim whose locked_until has passed was abandoned (the
-- node died) and the next retry takes it over. The answer (status, body, Location) is written in
-- the same transaction as the links it reports, with state 'done'. Rows go at expires_at (24 h).
CREATE TABLE idempotency_keys (
    key_id         BIGINT NOT NULL,
    idem_key       TEXT    NOT NULL,
    request_hash   TEXT    NOT NULL,
    token          TEXT    NOT NULL,
    state          TEXT    NOT NULL,
    status         INTEGER,
    body           TEXT,
    location       TEXT,
    created_at     BIGINT NOT NULL,
    locked_until   BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    PRIMARY KEY (key_id, idem_key)
);
CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at);
