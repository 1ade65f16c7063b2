-- Outgoing webhooks (issue 12). An endpoint subscribes to event types (a comma-separated list);
-- its secret signs every delivery (Standard Webhooks) and is shown once; after a rotation the
-- previous secret signs too until previous_until. failing_since is when its current run of
-- failures began (NULL: its last attempt succeeded); after KURZ_WEBHOOK_DISABLE_AFTER of it,
-- enabled goes false with disabled_reason.
CREATE TABLE webhooks (
    id              BIGSERIAL PRIMARY KEY,
    url             TEXT    NOT NULL,
    events          TEXT    NOT NULL,
    description     TEXT,
    secret          TEXT    NOT NULL,
    previous_secret TEXT,
    previous_until  BIGINT,
    enabled         BOOLEAN NOT NULL DEFAULT TRUE,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    failing_since   BIGINT,
    disabled_reason TEXT
);

-- The outbox: one row per event and subscribed endpoint, written in the transaction of the change
-- that caused it. A job: queued -> running (claimed_by, until lease_until) -> delivered | dead;
-- a failed attempt puts it back to queued with next_attempt_at later. A running row whose lease
-- passed belongs to a node that died: it is queued again. Per endpoint and order_key (a link),
-- only the oldest unfinished row may run, so a link's events arrive in order.
CREATE TABLE webhook_deliveries (
    id              BIGSERIAL PRIMARY KEY,
    webhook_id      BIGINT  NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    type            TEXT    NOT NULL,
    order_key       TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    request_id      TEXT,
    state           TEXT    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT  NOT NULL,
    window_start    BIGINT  NOT NULL,
    created_at      BIGINT  NOT NULL,
    claimed_by      TEXT,
    lease_until     BIGINT,
    last_status     INTEGER,
    last_error      TEXT,
    finished_at     BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (webhook_id, order_key, id);

-- Every attempt of a delivery: when, the receiver's status (NULL: no answer), how long, why not.
CREATE TABLE webhook_attempts (
    id          BIGSERIAL PRIMARY KEY,
    delivery_id BIGINT  NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    at          BIGINT  NOT NULL,
    status_code INTEGER,
    duration_ms BIGINT  NOT NULL,
    error       TEXT
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);

-- Link health: the last check of each link's destination. A checker claims due links (lease_until)
-- so that one node checks each.
CREATE TABLE link_health (
    link_id     BIGINT PRIMARY KEY REFERENCES links (id) ON DELETE CASCADE,
    status      TEXT   NOT NULL,
    http_status INTEGER,
    error       TEXT,
    checked_at  BIGINT,
    claimed_by  TEXT,
    lease_until BIGINT
);
CREATE INDEX link_health_status ON link_health (status);
