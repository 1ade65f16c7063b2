-- Smart links: what a domain does at its root and for unknown slugs, and a link's rules,
-- variants, fallback, UTM and preview (one JSON object, null when it has none) and password hash.
ALTER TABLE domains ADD COLUMN root_redirect TEXT;
ALTER TABLE domains ADD COLUMN not_found_redirect TEXT;
ALTER TABLE links ADD COLUMN smart TEXT;
ALTER TABLE links ADD COLUMN password_hash TEXT;
