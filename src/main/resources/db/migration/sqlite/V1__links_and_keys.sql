-- Times are epoch milliseconds (INTEGER) so the same queries serve SQLite and PostgreSQL.
CREATE TABLE workspaces (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
INSERT INTO workspaces (id, name, created_at) VALUES (1, 'default', 0);

CREATE TABLE domains (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
    host         TEXT    NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL
);
-- The default domain: whatever KURZ_BASE_URL names. Only it is served for now.
INSERT INTO domains (id, workspace_id, host, created_at) VALUES (1, 1, '', 0);

CREATE TABLE links (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id  INTEGER NOT NULL DEFAULT 1 REFERENCES workspaces (id),
    domain_id     INTEGER NOT NULL DEFAULT 1 REFERENCES domains (id),
    slug          TEXT    NOT NULL,
    url           TEXT    NOT NULL,
    title         TEXT,
    tags          TEXT    NOT NULL DEFAULT '',
    expires_at    INTEGER,
    max_clicks    INTEGER,
    redirect_type INTEGER NOT NULL DEFAULT 302,
    forward_query INTEGER NOT NULL DEFAULT 1,
    clicks        INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
-- Redirect lookups; case-sensitive (BINARY collation) like slugs themselves.
CREATE UNIQUE INDEX links_domain_slug ON links (domain_id, slug);
-- Newest-first keyset pages per workspace.
CREATE INDEX links_workspace_id ON links (workspace_id, id DESC);

CREATE TABLE link_tags (
    link_id INTEGER NOT NULL REFERENCES links (id) ON DELETE CASCADE,
    tag     TEXT    NOT NULL,
    PRIMARY KEY (tag, link_id)
) WITHOUT ROWID;
CREATE INDEX link_tags_link ON link_tags (link_id);

CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('slug', 0);

CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE api_keys (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL,
    prefix      TEXT    NOT NULL,
    hash        TEXT    NOT NULL UNIQUE,
    scopes      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);
