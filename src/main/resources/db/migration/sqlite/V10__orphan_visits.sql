-- Orphan visits (issue 11, the compatible APIs): GETs of slugs no link has. Counted per UTC day
-- for good; a bounded sample of the raw visits is kept as long as raw clicks are
-- (KURZ_RAW_RETENTION_DAYS) and at most 100,000 rows. ts and day are epoch milliseconds and days.
CREATE TABLE orphan_visit_days (
    day     BIGINT PRIMARY KEY,
    visits  BIGINT NOT NULL,
    bots    BIGINT NOT NULL
);
CREATE TABLE orphan_visits (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    ts             BIGINT  NOT NULL,
    path           TEXT    NOT NULL,
    referrer_host  TEXT,
    user_agent     TEXT,
    bot            BOOLEAN NOT NULL
);
CREATE INDEX orphan_visits_ts ON orphan_visits (ts);
