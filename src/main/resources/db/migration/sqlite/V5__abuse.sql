-- An admin's block of a link (disabled as unsafe); null when not blocked. Blocklist matches are
-- not stored: they follow the list as it is now.
ALTER TABLE links ADD COLUMN blocked_reason TEXT;
ALTER TABLE links ADD COLUMN blocked_at     INTEGER;

-- Abuse reports sent to POST /api/v1/reports, newest first by id.
CREATE TABLE abuse_reports (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    url        TEXT,
    slug       TEXT,
    reason     TEXT    NOT NULL,
    email      TEXT,
    client_ip  TEXT,
    request_id TEXT,
    created_at INTEGER NOT NULL
);
