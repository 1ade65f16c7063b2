-- Times are epoch milliseconds (BIGINT) so the same queries serve SQLite and PostgreSQL.
CREATE TABLE workspaces (
    id         BIGINT PRIMARY KEY,
    name       TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);
INSERT INTO workspaces (id, name, created_at) VALUES (1, 'default', 0);

CREATE TABLE domains (
    id           BIGINT PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    host         TEXT   NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL
);
-- The default domain: whatever KURZ_BASE_URL names. Only it is served for now.
INSERT INTO domains (id, workspace_id, host, created_at) VALUES (1, 1, '', 0);

CREATE TABLE links (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id  BIGINT   NOT NULL DEFAULT 1 REFERENCES workspaces (id),
    domain_id     BIGINT   NOT NULL DEFAULT 1 REFERENCES domains (id),
    slug          TEXT     NOT NULL COLLATE "C",
    url           TEXT     NOT NULL,
    title         TEXT,
    tags          TEXT     NOT NULL DEFAULT '',
    expires_at    BIGINT,
    max_clicks    BIGINT,
    redirect_type SMALLINT NOT NULL DEFAULT 302,
    forward_query BOOLEAN  NOT NULL DEFAULT TRUE,
    clicks        BIGINT   NOT NULL DEFAULT 0,
    created_at    BIGINT   NOT NULL,
    updated_at    BIGINT   NOT NULL
);
CREATE UNIQUE INDEX links_domain_slug ON links (domain_id, slug);
CREATE INDEX links_workspace_id ON links (workspace_id, id DESC);

CREATE TABLE link_tags (
    link_id BIGINT NOT NULL REFERENCES links (id) ON DELETE CASCADE,
    tag     TEXT   NOT NULL,
    PRIMARY KEY (tag, link_id)
);
CREATE INDEX link_tags_link ON link_tags (link_id);

CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('slug', 0);

CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE api_keys (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT   NOT NULL,
    prefix      TEXT   NOT NULL,
    hash        TEXT   NOT NULL UNIQUE,
    scopes      TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
