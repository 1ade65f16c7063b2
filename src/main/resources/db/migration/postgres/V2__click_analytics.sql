-- Click analytics. Rollups are keyed by whole units of time since the epoch (minute, hour, day)
-- and written with additive upserts, so any number of nodes can write them without coordinating.
-- link_id 0 holds the totals over all links.
CREATE TABLE click_minute (
    link_id BIGINT NOT NULL,
    minute  BIGINT NOT NULL,
    clicks  BIGINT NOT NULL,
    human   BIGINT NOT NULL,
    PRIMARY KEY (link_id, minute)
);

CREATE TABLE click_hour (
    link_id BIGINT NOT NULL,
    hour    BIGINT NOT NULL,
    clicks  BIGINT NOT NULL,
    human   BIGINT NOT NULL,
    PRIMARY KEY (link_id, hour)
);
CREATE INDEX click_hour_hour ON click_hour (hour, link_id);

CREATE TABLE click_dim (
    link_id BIGINT NOT NULL,
    day     BIGINT NOT NULL,
    dim     TEXT   NOT NULL,
    value   TEXT   NOT NULL,
    clicks  BIGINT NOT NULL,
    PRIMARY KEY (link_id, day, dim, value)
);

CREATE TABLE click_uniques (
    link_id BIGINT   NOT NULL,
    day     BIGINT   NOT NULL,
    reg     SMALLINT NOT NULL,
    rank    SMALLINT NOT NULL,
    PRIMARY KEY (link_id, day, reg)
);

-- Raw clicks, partitioned by day on ts (epoch ms): retention drops whole partitions, never a
-- mass DELETE. Kurz creates the daily partitions ahead of time; the default partition catches
-- anything outside them so an insert never fails.
CREATE TABLE click_events (
    id            BIGINT GENERATED ALWAYS AS IDENTITY,
    link_id       BIGINT  NOT NULL,
    ts            BIGINT  NOT NULL,
    visitor       BIGINT  NOT NULL,
    bot           BOOLEAN NOT NULL,
    country       TEXT,
    browser       TEXT,
    os            TEXT,
    device        TEXT,
    referrer_host TEXT,
    ip            TEXT,
    user_agent    TEXT
) PARTITION BY RANGE (ts);
CREATE TABLE click_events_default PARTITION OF click_events DEFAULT;
CREATE INDEX click_events_link_ts ON click_events (link_id, ts DESC, id DESC);
CREATE INDEX click_events_ts_brin ON click_events USING BRIN (ts);
