-- Click analytics. Rollups are keyed by whole units of time since the epoch (minute, hour, day)
-- and written with additive upserts, so any number of nodes can write them without coordinating.
-- link_id 0 holds the totals over all links.
CREATE TABLE click_minute (
    link_id INTEGER NOT NULL,
    minute  INTEGER NOT NULL,
    clicks  INTEGER NOT NULL,
    human   INTEGER NOT NULL,
    PRIMARY KEY (link_id, minute)
) WITHOUT ROWID;

CREATE TABLE click_hour (
    link_id INTEGER NOT NULL,
    hour    INTEGER NOT NULL,
    clicks  INTEGER NOT NULL,
    human   INTEGER NOT NULL,
    PRIMARY KEY (link_id, hour)
) WITHOUT ROWID;
CREATE INDEX click_hour_hour ON click_hour (hour, link_id);

-- Per day and dimension (country, referrer, browser, os, device): clicks per value.
CREATE TABLE click_dim (
    link_id INTEGER NOT NULL,
    day     INTEGER NOT NULL,
    dim     TEXT    NOT NULL,
    value   TEXT    NOT NULL,
    clicks  INTEGER NOT NULL,
    PRIMARY KEY (link_id, day, dim, value)
) WITHOUT ROWID;

-- Unique visitors as HyperLogLog registers (p = 12): rank is a max, so merging is MAX per register.
CREATE TABLE click_uniques (
    link_id INTEGER NOT NULL,
    day     INTEGER NOT NULL,
    reg     INTEGER NOT NULL,
    rank    INTEGER NOT NULL,
    PRIMARY KEY (link_id, day, reg)
) WITHOUT ROWID;

-- Raw clicks, kept for KURZ_RAW_RETENTION_DAYS. No raw IP unless KURZ_STORE_IP says so.
CREATE TABLE click_events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    link_id       INTEGER NOT NULL,
    ts            INTEGER NOT NULL,
    visitor       INTEGER NOT NULL,
    bot           INTEGER NOT NULL,
    country       TEXT,
    browser       TEXT,
    os            TEXT,
    device        TEXT,
    referrer_host TEXT,
    ip            TEXT,
    user_agent    TEXT
);
CREATE INDEX click_events_link_ts ON click_events (link_id, ts DESC, id DESC);
CREATE INDEX click_events_ts ON click_events (ts);
