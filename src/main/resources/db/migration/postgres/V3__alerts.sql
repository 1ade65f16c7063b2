-- Alert rules: per link (slug) or over all links (slug NULL). kind 'clicks_above': more than
-- threshold clicks within window_minutes; kind 'no_clicks': none for window_minutes.
CREATE TABLE alert_rules (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug             TEXT,
    kind             TEXT    NOT NULL,
    threshold        BIGINT  NOT NULL,
    window_minutes   INTEGER NOT NULL,
    cooldown_minutes INTEGER NOT NULL,
    created_at       BIGINT  NOT NULL,
    last_fired_at    BIGINT
);

CREATE TABLE alert_events (
    id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rule_id  BIGINT NOT NULL,
    slug     TEXT,
    kind     TEXT   NOT NULL,
    value    BIGINT NOT NULL,
    message  TEXT   NOT NULL,
    fired_at BIGINT NOT NULL
);
CREATE INDEX alert_events_fired ON alert_events (fired_at DESC, id DESC);
