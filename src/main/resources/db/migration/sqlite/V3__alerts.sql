-- Alert rules: per link (slug) or over all links (slug NULL). kind 'clicks_above': more than
-- threshold clicks within window_minutes; kind 'no_clicks': none for window_minutes.
CREATE TABLE alert_rules (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    slug             TEXT,
    kind             TEXT    NOT NULL,
    threshold        INTEGER NOT NULL,
    window_minutes   INTEGER NOT NULL,
    cooldown_minutes INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    last_fired_at    INTEGER
);

CREATE TABLE alert_events (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    rule_id  INTEGER NOT NULL,
    slug     TEXT,
    kind     TEXT    NOT NULL,
    value    INTEGER NOT NULL,
    message  TEXT    NOT NULL,
    fired_at INTEGER NOT NULL
);
CREATE INDEX alert_events_fired ON alert_events (fired_at DESC, id DESC);
