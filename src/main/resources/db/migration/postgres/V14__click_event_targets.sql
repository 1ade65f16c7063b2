-- What a smart link served per raw click (rule:N, variant:N or the URL; null for plain links), as
-- the target rollup counts it. Nullable without a default: PostgreSQL adds it to every partition
-- without rewriting them. SQLite keeps raw clicks in packs (ADR 0013), which carry it themselves.
ALTER TABLE click_events ADD COLUMN target TEXT;
