-- The API key that created a link (links:own keys see only theirs); NULL for links made before
-- V6, which only keys without links:own see.
ALTER TABLE links ADD COLUMN created_by INTEGER;
CREATE INDEX links_created_by ON links (created_by, id DESC);

-- The audit trail: who changed what, newest first by id. changes is a JSON object; it never
-- holds a key's secret.
CREATE TABLE audit_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         INTEGER NOT NULL,
    key_id     INTEGER,
    key_name   TEXT,
    ip         TEXT,
    request_id TEXT,
    action     TEXT    NOT NULL,
    target     TEXT,
    changes    TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_action ON audit_events (action, id DESC);
CREATE INDEX audit_events_target ON audit_events (target, id DESC);
