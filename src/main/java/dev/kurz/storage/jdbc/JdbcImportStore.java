package dev.kurz.storage.jdbc;

import dev.kurz.link.NewLink;
import dev.kurz.transfer.ImportFormat;
import dev.kurz.transfer.ImportJob;
import dev.kurz.transfer.ImportStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * Import jobs on SQLite and PostgreSQL. A chunk is one transaction: the job row first (which
 * checks that it is still running for this owner, and on PostgreSQL locks it against a cancel in
 * between), then multi-row inserts of up to {@value #ROWS_PER_STATEMENT} links with
 * {@code ON CONFLICT DO NOTHING RETURNING id, slug} (a slug not returned was taken), their tags,
 * the dead letters, and the checkpoint.
 */
public final class JdbcImportStore implements ImportStore {
    static final int ROWS_PER_STATEMENT = 1000;
    private static final int PART_BYTES = 1024 * 1024;
    private static final int STATEMENT_TIMEOUT_SECONDS = 60;
    private static final String COLUMNS = "id, format, on_conflict, status, created_by, size_bytes, total, position, imported, skipped, failed,"
            + " attempts, error, created_at, started_at, finished_at";

    private final Dialect dialect;
    private final DataSource writer;
    private final DataSource reader;

    public JdbcImportStore(Database db) {
        this.dialect = db.dialect();
        this.writer = db.writer();
        this.reader = db.reader();
    }

    @Override
    public void create(ImportJob job, InputStream file) {
        try (Connection c = writer.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO import_jobs (id, format, on_conflict, status, created_by, size_bytes,"
                        + " created_at) VALUES (?, ?, ?, 'queued', ?, ?, ?)")) {
                    ps.setString(1, job.id());
                    ps.setString(2, job.format().label());
                    ps.setString(3, job.onConflict().label());
                    setLong(ps, 4, job.createdBy());
                    ps.setLong(5, job.sizeBytes());
                    ps.setLong(6, job.createdAt().toEpochMilli());
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO import_parts (job_id, seq, data) VALUES (?, ?, ?)")) {
                    byte[] part;
                    int seq = 0;
                    while ((part = file.readNBytes(PART_BYTES)).length > 0) {
                        ps.setString(1, job.id());
                        ps.setInt(2, seq++);
                        ps.setBytes(3, part);
                        ps.executeUpdate();
                    }
                }
                c.commit();
            } catch (IOException e) {
                c.rollback();
                throw new UncheckedIOException(e);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StorageException("create import", e);
        }
    }

    @Override
    public Optional<ImportJob> find(String id) {
        return select(reader, id);
    }

    private Optional<ImportJob> select(DataSource from, String id) {
        try (Connection c = from.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM import_jobs WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(job(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StorageException("find import", e);
        }
    }

    @Override
    public long active() {
        try (Connection c = reader.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM import_jobs WHERE status IN ('queued', 'running')");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new StorageException("count imports", e);
        }
    }

    @Override
    public Optional<ImportJob> claim(String owner, Instant now, Instant leaseUntil) {
        // The outer condition is checked again on the row itself: on PostgreSQL a second node that
        // picked the same job waits for the first one's update and then finds it no longer claimable.
        String claimable = "(status = 'queued' OR (status = 'running' AND lease_until < ?))";
        // Polled every few seconds: "nothing to claim", the usual answer, is read on a reader, without
        // the write transaction that on SQLite takes the single writer from the clicks.
        try (Connection c = reader.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT 1 FROM import_jobs WHERE " + claimable + " LIMIT 1")) {
            ps.setLong(1, now.toEpochMilli());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return Optional.empty();
            }
        } catch (SQLException e) {
            throw new StorageException("claim import", e);
        }
        String sql = "UPDATE import_jobs SET status = 'running', owner = ?, lease_until = ?, started_at = COALESCE(started_at, ?)"
                + " WHERE id = (SELECT id FROM import_jobs WHERE " + claimable + " ORDER BY created_at, id LIMIT 1) AND " + claimable
                + " RETURNING " + COLUMNS;
        try (Connection c = writer.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, owner);
            ps.setLong(2, leaseUntil.toEpochMilli());
            ps.setLong(3, now.toEpochMilli());
            ps.setLong(4, now.toEpochMilli());
            ps.setLong(5, now.toEpochMilli());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(job(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StorageException("claim import", e);
        }
    }

    @Override
    public int requeueRunning() {
        return update("UPDATE import_jobs SET status = 'queued', owner = NULL, lease_until = NULL WHERE status = 'running'", ps -> {});
    }

    @Override
    public InputStream file(String id) {
        return new InputStream() {
            private byte[] part = new byte[0];
            private int pos;
            private int seq;
            private boolean end;

            private boolean fill() {
                while (pos == part.length) {
                    if (end) return false;
                    byte[] next = part(id, seq++);
                    if (next == null) {
                        end = true;
                        return false;
                    }
                    part = next;
                    pos = 0;
                }
                return true;
            }

            @Override
            public int read() {
                return fill() ? part[pos++] & 0xFF : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (len == 0) return 0;
                if (!fill()) return -1;
                int n = Math.min(len, part.length - pos);
                System.arraycopy(part, pos, b, off, n);
                pos += n;
                return n;
            }
        };
    }

    private byte[] part(String id, int seq) {
        try (Connection c = reader.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT data FROM import_parts WHERE job_id = ? AND seq = ?")) {
            ps.setString(1, id);
            ps.setInt(2, seq);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBytes(1) : null;
            }
        } catch (SQLException e) {
            throw new StorageException("read import file", e);
        }
    }

    @Override
    public boolean total(String id, String owner, long total) {
        return update("UPDATE import_jobs SET total = ? WHERE id = ? AND owner = ? AND status = 'running'", ps -> {
            ps.setLong(1, total);
            ps.setString(2, id);
            ps.setString(3, owner);
        }) > 0;
    }

    @Override
    public Written write(String id, String owner, List<Item> items, List<Failure> failures, long position, ImportJob.Conflict onConflict,
                         Iterator<String> slugs, Instant leaseUntil) {
        try (Connection c = writer.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (dialect == Dialect.POSTGRES) {
                    // A chunk lost in a crash of the database is lost with its checkpoint (one transaction)
                    // and imported again on resume: it need not wait for its WAL flush.
                    try (var st = c.createStatement()) {
                        st.execute("SET LOCAL synchronous_commit = off");
                    }
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE import_jobs SET lease_until = ? WHERE id = ? AND owner = ? AND status = 'running'")) {
                    ps.setLong(1, leaseUntil.toEpochMilli());
                    ps.setString(2, id);
                    ps.setString(3, owner);
                    if (ps.executeUpdate() == 0) {
                        c.rollback();
                        throw new Lost(id);
                    }
                }
                long now = Instant.now().toEpochMilli();
                List<Failure> dead = new ArrayList<>(failures);
                List<String> stored = new ArrayList<>(items.size());
                List<long[]> tagOwners = new ArrayList<>();
                List<List<String>> tagLists = new ArrayList<>();
                int skipped = 0;
                List<Item> pending = new ArrayList<>(items.size());
                for (Item it : items) pending.add(it.link().slug() == null ? withSlug(it, next(slugs, items.size())) : it);
                // Items with a custom slug keep theirs; with "rename", a taken one gets a generated slug.
                Map<Item, Boolean> generated = new java.util.IdentityHashMap<>();
                for (int i = 0; i < items.size(); i++) if (items.get(i).link().slug() == null) generated.put(pending.get(i), true);
                while (!pending.isEmpty()) {
                    List<Item> retry = new ArrayList<>();
                    for (int from = 0; from < pending.size(); from += ROWS_PER_STATEMENT) {
                        List<Item> part = pending.subList(from, Math.min(pending.size(), from + ROWS_PER_STATEMENT));
                        Map<String, Long> ids = insertLinks(c, part, now);
                        for (Item it : part) {
                            Long linkId = ids.remove(it.link().slug()); // a slug twice in a chunk: the first one has it
                            if (linkId != null) {
                                stored.add(it.link().slug());
                                if (!it.link().tags().isEmpty()) {
                                    tagOwners.add(new long[] {linkId});
                                    tagLists.add(it.link().tags());
                                }
                            } else if (generated.containsKey(it) || onConflict == ImportJob.Conflict.RENAME) {
                                Item again = withSlug(it, next(slugs, items.size()));
                                generated.put(again, true);
                                retry.add(again);
                            } else if (onConflict == ImportJob.Conflict.SKIP) {
                                skipped++;
                            } else {
                                dead.add(new Failure(it.row(), it.plainCsv(), "slug '" + it.link().slug() + "' is already taken"));
                            }
                        }
                    }
                    pending = retry;
                }
                insertTags(c, tagOwners, tagLists);
                insertFailures(c, id, dead);
                try (PreparedStatement ps = c.prepareStatement("UPDATE import_jobs SET position = ?, imported = imported + ?,"
                        + " skipped = skipped + ?, failed = failed + ? WHERE id = ?")) {
                    ps.setLong(1, position);
                    ps.setLong(2, stored.size());
                    ps.setLong(3, skipped);
                    ps.setLong(4, dead.size());
                    ps.setString(5, id);
                    ps.executeUpdate();
                }
                c.commit();
                return new Written(stored.size(), skipped, dead.size(), stored);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StorageException("write import chunk", e);
        }
    }

    private static String next(Iterator<String> slugs, int needed) {
        if (!slugs.hasNext()) throw new OutOfSlugs(needed);
        return slugs.next();
    }

    private static Item withSlug(Item it, String slug) {
        return new Item(it.row(), it.link().withSlug(slug), it.createdAt(), it.importedClicks(), it.plainCsv());
    }

    /** One multi-row insert; the id of each slug it stored (a slug not in the map was taken). */
    private Map<String, Long> insertLinks(Connection c, List<Item> part, long now) throws SQLException {
        return dialect == Dialect.POSTGRES ? insertLinksPostgres(c, part, now) : insertLinksValues(c, part, now);
    }

    /**
     * PostgreSQL: one array per column and {@code unnest}: 12 parameters instead of 12 per row,
     * which the server parses and plans in a fraction of the time of a long VALUES list.
     */
    private static Map<String, Long> insertLinksPostgres(Connection c, List<Item> part, long now) throws SQLException {
        int n = part.size();
        String[] slug = new String[n], url = new String[n], title = new String[n], tags = new String[n];
        Long[] expires = new Long[n], max = new Long[n], created = new Long[n], updated = new Long[n], by = new Long[n], clicks = new Long[n];
        Integer[] type = new Integer[n];
        Boolean[] forward = new Boolean[n];
        for (int i = 0; i < n; i++) {
            Item it = part.get(i);
            NewLink l = it.link();
            slug[i] = l.slug();
            url[i] = l.url();
            title[i] = l.title();
            tags[i] = String.join(",", l.tags());
            expires[i] = l.expiresAt() == null ? null : l.expiresAt().toEpochMilli();
            max[i] = l.maxClicks();
            type[i] = l.redirectType();
            forward[i] = l.forwardQuery();
            created[i] = it.createdAt().toEpochMilli();
            updated[i] = now;
            by[i] = l.createdBy();
            clicks[i] = it.importedClicks();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO links (slug, url, title, tags, expires_at, max_clicks, redirect_type,"
                + " forward_query, created_at, updated_at, created_by, imported_clicks) SELECT * FROM unnest(?::text[], ?::text[], ?::text[],"
                + " ?::text[], ?::int8[], ?::int8[], ?::int2[], ?::bool[], ?::int8[], ?::int8[], ?::int8[], ?::int8[])"
                + " ON CONFLICT (domain_id, slug) DO NOTHING RETURNING id, slug")) {
            ps.setQueryTimeout(STATEMENT_TIMEOUT_SECONDS);
            ps.setArray(1, c.createArrayOf("text", slug));
            ps.setArray(2, c.createArrayOf("text", url));
            ps.setArray(3, c.createArrayOf("text", title));
            ps.setArray(4, c.createArrayOf("text", tags));
            ps.setArray(5, c.createArrayOf("int8", expires));
            ps.setArray(6, c.createArrayOf("int8", max));
            ps.setArray(7, c.createArrayOf("int2", type));
            ps.setArray(8, c.createArrayOf("bool", forward));
            ps.setArray(9, c.createArrayOf("int8", created));
            ps.setArray(10, c.createArrayOf("int8", updated));
            ps.setArray(11, c.createArrayOf("int8", by));
            ps.setArray(12, c.createArrayOf("int8", clicks));
            Map<String, Long> ids = new HashMap<>(n * 2);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) ids.put(rs.getString(2), rs.getLong(1));
            }
            return ids;
        }
    }

    private static Map<String, Long> insertLinksValues(Connection c, List<Item> part, long now) throws SQLException {
        StringBuilder sql = new StringBuilder(120 + part.size() * 30).append("INSERT INTO links (slug, url, title, tags, expires_at, max_clicks,"
                + " redirect_type, forward_query, created_at, updated_at, created_by, imported_clicks) VALUES ");
        for (int i = 0; i < part.size(); i++) sql.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        sql.append(" ON CONFLICT (domain_id, slug) DO NOTHING RETURNING id, slug");
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            ps.setQueryTimeout(STATEMENT_TIMEOUT_SECONDS);
            int p = 1;
            for (Item it : part) {
                NewLink l = it.link();
                ps.setString(p++, l.slug());
                ps.setString(p++, l.url());
                ps.setString(p++, l.title());
                ps.setString(p++, String.join(",", l.tags()));
                setLong(ps, p++, l.expiresAt() == null ? null : l.expiresAt().toEpochMilli());
                setLong(ps, p++, l.maxClicks());
                ps.setInt(p++, l.redirectType());
                ps.setBoolean(p++, l.forwardQuery());
                ps.setLong(p++, it.createdAt().toEpochMilli());
                ps.setLong(p++, now);
                setLong(ps, p++, l.createdBy());
                ps.setLong(p++, it.importedClicks());
            }
            Map<String, Long> ids = new HashMap<>(part.size() * 2);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) ids.put(rs.getString(2), rs.getLong(1));
            }
            return ids;
        }
    }

    private void insertTags(Connection c, List<long[]> owners, List<List<String>> tags) throws SQLException {
        List<Object[]> pairs = new ArrayList<>();
        for (int i = 0; i < owners.size(); i++) for (String t : tags.get(i)) pairs.add(new Object[] {owners.get(i)[0], t});
        if (dialect == Dialect.POSTGRES && !pairs.isEmpty()) {
            Long[] ids = new Long[pairs.size()];
            String[] names = new String[pairs.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = (Long) pairs.get(i)[0];
                names[i] = (String) pairs.get(i)[1];
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO link_tags (link_id, tag) SELECT * FROM unnest(?::int8[], ?::text[])")) {
                ps.setArray(1, c.createArrayOf("int8", ids));
                ps.setArray(2, c.createArrayOf("text", names));
                ps.executeUpdate();
            }
            return;
        }
        for (int from = 0; from < pairs.size(); from += ROWS_PER_STATEMENT) {
            List<Object[]> part = pairs.subList(from, Math.min(pairs.size(), from + ROWS_PER_STATEMENT));
            String sql = "INSERT INTO link_tags (link_id, tag) VALUES " + String.join(", ", Collections.nCopies(part.size(), "(?, ?)"));
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int p = 1;
                for (Object[] pair : part) {
                    ps.setLong(p++, (Long) pair[0]);
                    ps.setString(p++, (String) pair[1]);
                }
                ps.executeUpdate();
            }
        }
    }

    private static void insertFailures(Connection c, String id, List<Failure> dead) throws SQLException {
        for (int from = 0; from < dead.size(); from += ROWS_PER_STATEMENT) {
            List<Failure> part = dead.subList(from, Math.min(dead.size(), from + ROWS_PER_STATEMENT));
            String sql = "INSERT INTO import_failures (job_id, row_no, fields, reason) VALUES "
                    + String.join(", ", Collections.nCopies(part.size(), "(?, ?, ?, ?)")) + " ON CONFLICT (job_id, row_no) DO NOTHING";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int p = 1;
                for (Failure f : part) {
                    ps.setString(p++, id);
                    ps.setLong(p++, f.row());
                    ps.setString(p++, f.plainCsv());
                    ps.setString(p++, f.reason());
                }
                ps.executeUpdate();
            }
        }
    }

    @Override
    public boolean finish(String id, String owner, ImportJob.Status status, String error, Instant now) {
        return update("UPDATE import_jobs SET status = ?, error = ?, finished_at = ?, owner = NULL, lease_until = NULL"
                + " WHERE id = ? AND owner = ? AND status = 'running'", ps -> {
            ps.setString(1, status.label());
            ps.setString(2, error);
            ps.setLong(3, now.toEpochMilli());
            ps.setString(4, id);
            ps.setString(5, owner);
        }) > 0;
    }

    @Override
    public Optional<ImportJob> cancel(String id, Instant now) {
        update("UPDATE import_jobs SET status = 'cancelled', finished_at = ?, owner = NULL, lease_until = NULL"
                + " WHERE id = ? AND status IN ('queued', 'running')", ps -> {
            ps.setLong(1, now.toEpochMilli());
            ps.setString(2, id);
        });
        return select(writer, id); // the writer: the row as just changed
    }

    @Override
    public void attempted(String id, String error) {
        update("UPDATE import_jobs SET attempts = attempts + 1, error = ? WHERE id = ?", ps -> {
            ps.setString(1, error.length() > 500 ? error.substring(0, 500) : error);
            ps.setString(2, id);
        });
    }

    @Override
    public void failures(String id, Consumer<Failure> each) {
        try (Connection c = reader.getConnection()) {
            boolean auto = c.getAutoCommit();
            if (dialect == Dialect.POSTGRES) c.setAutoCommit(false); // a cursor, not every row at once
            try (PreparedStatement ps = c.prepareStatement("SELECT row_no, fields, reason FROM import_failures WHERE job_id = ? ORDER BY row_no")) {
                ps.setFetchSize(1000);
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) each.accept(new Failure(rs.getLong(1), rs.getString(2), rs.getString(3)));
                }
            } finally {
                if (dialect == Dialect.POSTGRES) {
                    c.rollback();
                    c.setAutoCommit(auto);
                }
            }
        } catch (SQLException e) {
            throw new StorageException("read import failures", e);
        }
    }

    @Override
    public void dropFile(String id) {
        update("DELETE FROM import_parts WHERE job_id = ?", ps -> ps.setString(1, id));
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private int update(String sql, Binder binder) {
        try (Connection c = writer.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new StorageException(sql, e);
        }
    }

    private static void setLong(PreparedStatement ps, int index, Long value) throws SQLException {
        JdbcStore.setLong(ps, index, value);
    }

    private static Long getLong(ResultSet rs, String column) throws SQLException {
        return JdbcStore.getLong(rs, column);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Long v = getLong(rs, column);
        return v == null ? null : Instant.ofEpochMilli(v);
    }

    private static ImportJob job(ResultSet rs) throws SQLException {
        return new ImportJob(rs.getString("id"), ImportFormat.of(rs.getString("format")), ImportJob.Conflict.of(rs.getString("on_conflict")),
                ImportJob.Status.of(rs.getString("status")), getLong(rs, "created_by"), rs.getLong("size_bytes"), getLong(rs, "total"),
                rs.getLong("position"), rs.getLong("imported"), rs.getLong("skipped"), rs.getLong("failed"), rs.getInt("attempts"),
                rs.getString("error"), instant(rs, "created_at"), instant(rs, "started_at"), instant(rs, "finished_at"));
    }
}
