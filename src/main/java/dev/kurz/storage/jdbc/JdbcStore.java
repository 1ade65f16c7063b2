package dev.kurz.storage.jdbc;

import dev.kurz.auth.ApiKey;
import dev.kurz.auth.ApiKeyStore;
import dev.kurz.auth.Scope;
import dev.kurz.link.Link;
import dev.kurz.link.LinkBlock;
import dev.kurz.link.LinkKeys;
import dev.kurz.link.SmartCodec;
import dev.kurz.link.LinkStore;
import dev.kurz.link.NewLink;
import dev.kurz.link.SlugTakenException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The link, key and click-count adapter for SQLite and PostgreSQL: one set of SQL (times as epoch
 * milliseconds, {@code RETURNING}, {@code ON CONFLICT}) that both engines run, with
 * {@link Dialect} for the rest. Every write is one transaction, committed before it returns.
 */
public final class JdbcStore implements LinkStore, ApiKeyStore {
    private static final long DEFAULT_WORKSPACE = 1;
    private static final String LINK_COLUMNS =
            "id, slug, url, title, tags, expires_at, max_clicks, redirect_type, forward_query, created_at, updated_at,"
                    // A link's clicks include those it had in the system it was imported from (V11).
                    + " clicks + imported_clicks AS clicks,"
                    + " created_by, blocked_reason, blocked_at, smart, password_hash,"
                    + " (SELECT host FROM domains WHERE domains.id = links.domain_id) AS domain_host";
    /** A domain's id by host; the default domain's host is '' (a link key without a host). */
    private static final String DOMAIN_ID = "(SELECT id FROM domains WHERE host = ?)";

    private final Dialect dialect;
    private final DataSource writer;
    private final DataSource reader;
    private volatile dev.kurz.webhook.LinkEvents events;

    public JdbcStore(Database db) {
        this.dialect = db.dialect();
        this.writer = db.writer();
        this.reader = db.reader();
    }

    /** From now on, each link change also writes its webhook events, in the change's transaction. */
    public void writeEvents(dev.kurz.webhook.LinkEvents events) {
        this.events = events;
    }

    private void enqueue(Connection c, java.util.function.Function<dev.kurz.webhook.LinkEvents, dev.kurz.webhook.Event> event, long millis)
            throws SQLException {
        dev.kurz.webhook.LinkEvents e = events;
        if (e != null) JdbcWebhookStore.enqueue(c, event.apply(e), millis);
    }

    // ---- links ----

    @Override
    public Link insert(NewLink link, Instant now) {
        long millis = now.toEpochMilli();
        try (Connection c = writer.getConnection()) {
            c.setAutoCommit(false);
            try {
                Link stored = insertRow(c, link, millis);
                enqueue(c, e -> e.created(stored), millis);
                c.commit();
                return stored;
            } catch (SQLException e) {
                c.rollback();
                if (dialect.isUniqueViolation(e)) throw new SlugTakenException(link.slug());
                throw e;
            }
        } catch (SQLException e) {
            throw new StorageException("insert link", e);
        }
    }

    /**
     * One transaction for all the links and the receipt made of them: a crash leaves either none
     * of them or all of them with the receipt. A taken custom slug is that link's null (its insert
     * is undone to a savepoint, the others stay). A link without a slug takes the next of
     * {@code slugs}, and the one after when that met a custom slug.
     */
    @Override
    public List<Link> insertAll(List<NewLink> links, Instant now, java.util.Iterator<String> slugs,
                                java.util.function.Function<List<Link>, dev.kurz.idempotency.Receipt> receipt) {
        long millis = now.toEpochMilli();
        try (Connection c = writer.getConnection()) {
            c.setAutoCommit(false);
            try {
                List<Link> stored = new ArrayList<>(links.size());
                for (NewLink link : links) stored.add(insertOne(c, link, millis, slugs));
                dev.kurz.idempotency.Receipt r = receipt.apply(java.util.Collections.unmodifiableList(stored));
                if (r != null && !JdbcIdempotencyStore.seal(c, r)) {
                    c.rollback();
                    throw dev.kurz.idempotency.Idempotency.claimLost();
                }
                c.commit();
                return stored;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StorageException("insert links", e);
        }
    }

    private Link insertOne(Connection c, NewLink link, long millis, java.util.Iterator<String> slugs) throws SQLException {
        boolean generated = link.slug() == null;
        NewLink next = generated ? link.withSlug(slugs.next()) : link;
        while (true) {
            java.sql.Savepoint before = c.setSavepoint();
            try {
                Link stored = insertRow(c, next, millis);
                c.releaseSavepoint(before);
                enqueue(c, e -> e.created(stored), millis);
                return stored;
            } catch (SQLException e) {
                if (!dialect.isUniqueViolation(e)) throw e;
                c.rollback(before);
                if (!generated) return null;
                if (!slugs.hasNext()) throw new SlugTakenException(next.slug());
                next = link.withSlug(slugs.next());
            }
        }
    }

    private static Link insertRow(Connection c, NewLink link, long millis) throws SQLException {
                long id;
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO links (workspace_id, domain_id, slug, url, title, tags, expires_at, max_clicks,"
                                + " redirect_type, forward_query, created_at, updated_at, created_by, smart, password_hash)"
                                + " VALUES (?, " + DOMAIN_ID + ", ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                                + " RETURNING id")) {
                    ps.setLong(1, DEFAULT_WORKSPACE);
                    ps.setString(2, link.domain() == null ? "" : link.domain());
                    ps.setString(3, link.slug());
                    ps.setString(4, link.url());
                    ps.setString(5, link.title());
                    ps.setString(6, String.join(",", link.tags()));
                    setLong(ps, 7, link.expiresAt() == null ? null : link.expiresAt().toEpochMilli());
                    setLong(ps, 8, link.maxClicks());
                    ps.setInt(9, link.redirectType());
                    ps.setBoolean(10, link.forwardQuery());
                    ps.setLong(11, millis);
                    ps.setLong(12, millis);
                    setLong(ps, 13, link.createdBy());
                    ps.setString(14, SmartCodec.encode(link.smart()));
                    ps.setString(15, link.passwordHash());
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        id = rs.getLong(1);
                    }
                }
                insertTags(c, id, link.tags());
                return new Link(id, link.slug(), link.url(), link.title(), link.tags(), link.expiresAt(), link.maxClicks(),
                        link.redirectType(), link.forwardQuery(), Instant.ofEpochMilli(millis), Instant.ofEpochMilli(millis), 0,
                        link.createdBy(), null, link.domain(), link.smart(), link.passwordHash());
    }

    @Override
    public Optional<Link> find(String key) {
        return queryOne(reader, "SELECT " + LINK_COLUMNS + " FROM links WHERE " + BY_KEY, ps -> byKey(ps, 1, key), JdbcStore::link);
    }

    private static final String BY_KEY = "domain_id = " + DOMAIN_ID + " AND slug = ?";

    /**
     * On PostgreSQL one statement per domain among the keys ({@code slug = ANY(?)}, one prepared
     * statement whatever the count), so a batch of cold slugs costs the server one parse, plan and
     * round trip instead of one each; SQLite reads them one by one on one connection.
     */
    @Override
    public Map<String, Link> findAll(Collection<String> keys) {
        Map<String, List<String>> byHost = new HashMap<>();
        for (String k : keys) {
            String host = LinkKeys.domain(k);
            byHost.computeIfAbsent(host == null ? "" : host, h -> new ArrayList<>()).add(LinkKeys.slug(k));
        }
        Map<String, Link> out = new HashMap<>(keys.size() * 2);
        try (Connection c = reader.getConnection()) {
            if (dialect == Dialect.POSTGRES) {
                try (PreparedStatement ps = c.prepareStatement("SELECT " + LINK_COLUMNS + " FROM links WHERE domain_id = "
                        + DOMAIN_ID + " AND slug = ANY(?)")) {
                    for (Map.Entry<String, List<String>> e : byHost.entrySet()) {
                        ps.setString(1, e.getKey());
                        java.sql.Array slugs = c.createArrayOf("text", e.getValue().toArray());
                        ps.setArray(2, slugs);
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                Link l = link(rs);
                                out.put(LinkKeys.of(e.getKey(), l.slug()), l); // under the key as asked
                            }
                        }
                        slugs.free();
                    }
                }
            } else {
                try (PreparedStatement ps = c.prepareStatement("SELECT " + LINK_COLUMNS + " FROM links WHERE " + BY_KEY)) {
                    for (String k : keys) {
                        byKey(ps, 1, k);
                        try (ResultSet rs = ps.executeQuery()) {
                            if (rs.next()) out.put(k, link(rs));
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw new StorageException("find links", e);
        }
        return out;
    }

    /** Binds a link key ({@link LinkKeys}) to {@link #BY_KEY}'s two parameters from {@code i}. */
    private static void byKey(PreparedStatement ps, int i, String key) throws SQLException {
        String host = LinkKeys.domain(key);
        ps.setString(i, host == null ? "" : host);
        ps.setString(i + 1, LinkKeys.slug(key));
    }

    @Override
    public Optional<Link> update(Link link) {
        try (Connection c = writer.getConnection()) {
            c.setAutoCommit(false);
            try {
                // A new destination has not been checked: its old health goes (the next round checks it).
                try (PreparedStatement ps = c.prepareStatement(
                        "DELETE FROM link_health WHERE link_id = ? AND (SELECT url FROM links WHERE id = ?) <> ?")) {
                    ps.setLong(1, link.id());
                    ps.setLong(2, link.id());
                    ps.setString(3, link.url());
                    ps.executeUpdate();
                }
                int n;
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE links SET url = ?, title = ?, tags = ?, expires_at = ?, max_clicks = ?, redirect_type = ?,"
                                + " forward_query = ?, updated_at = ?, smart = ?, password_hash = ? WHERE id = ?")) {
                    ps.setString(1, link.url());
                    ps.setString(2, link.title());
                    ps.setString(3, String.join(",", link.tags()));
                    setLong(ps, 4, link.expiresAt() == null ? null : link.expiresAt().toEpochMilli());
                    setLong(ps, 5, link.maxClicks());
                    ps.setInt(6, link.redirectType());
                    ps.setBoolean(7, link.forwardQuery());
                    ps.setLong(8, link.updatedAt().toEpochMilli());
                    ps.setString(9, SmartCodec.encode(link.smart()));
                    ps.setString(10, link.passwordHash());
                    ps.setLong(11, link.id());
                    n = ps.executeUpdate();
                }
                if (n == 0) {
                    c.rollback();
                    return Optional.empty();
                }
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM link_tags WHERE link_id = ?")) {
                    ps.setLong(1, link.id());
                    ps.executeUpdate();
                }
                insertTags(c, link.id(), link.tags());
                enqueue(c, e -> e.updated(link), link.updatedAt().toEpochMilli());
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StorageException("update link", e);
        }
        // Read back through the writer: the clicks column may have moved meanwhile.
        return queryOne(writer, "SELECT " + LINK_COLUMNS + " FROM links WHERE id = ?", ps -> ps.setLong(1, link.id()), JdbcStore::link);
    }

    @Override
    public boolean delete(String key) {
        if (events == null) {
            return update("DELETE FROM links WHERE " + BY_KEY, ps -> byKey(ps, 1, key)) > 0;
        }
        try (Connection c = writer.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM links WHERE " + BY_KEY + " RETURNING id, url")) {
                byKey(ps, 1, key);
                Long id = null;
                String url = null;
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        id = rs.getLong(1);
                        url = rs.getString(2);
                    }
                }
                if (id != null) {
                    long deletedId = id;
                    String deletedUrl = url;
                    enqueue(c, e -> e.deleted(deletedId, key, deletedUrl), events.now());
                }
                c.commit();
                return id != null;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StorageException("delete link", e);
        }
    }

    @Override
    public Optional<Link> block(String slug, LinkBlock block) {
        int n = update("UPDATE links SET blocked_reason = ?, blocked_at = ? WHERE " + BY_KEY, ps -> {
            ps.setString(1, block == null ? null : block.reason());
            setLong(ps, 2, block == null ? null : block.at().toEpochMilli());
            byKey(ps, 3, slug);
        });
        if (n == 0) return Optional.empty();
        return queryOne(writer, "SELECT " + LINK_COLUMNS + " FROM links WHERE " + BY_KEY, ps -> byKey(ps, 1, slug), JdbcStore::link);
    }

    @Override
    public List<Link> list(LinkQuery q) {
        StringBuilder sql = new StringBuilder("SELECT ").append(LINK_COLUMNS).append(" FROM links WHERE workspace_id = ?");
        List<Object> args = new ArrayList<>();
        args.add(DEFAULT_WORKSPACE);
        if (q.beforeId() != null) {
            sql.append(" AND id < ?");
            args.add(q.beforeId());
        }
        if (q.createdBy() != null) {
            sql.append(" AND created_by = ?");
            args.add(q.createdBy());
        }
        if (q.domain() != null) {
            sql.append(" AND domain_id = ").append(DOMAIN_ID);
            args.add(q.domain().host() == null ? "" : q.domain().host());
        }
        if ("unknown".equals(q.health())) {
            sql.append(" AND id NOT IN (SELECT link_id FROM link_health WHERE status <> 'unknown')");
        } else if (q.health() != null) {
            sql.append(" AND id IN (SELECT link_id FROM link_health WHERE status = ?)");
            args.add(q.health());
        }
        if (q.tag() != null) {
            sql.append(" AND id IN (SELECT link_id FROM link_tags WHERE tag = ?)");
            args.add(q.tag());
        }
        if (q.text() != null) {
            String like = dialect.caseInsensitiveLike;
            sql.append(" AND (slug ").append(like).append(" ? ESCAPE '\\' OR url ").append(like)
                    .append(" ? ESCAPE '\\' OR title ").append(like).append(" ? ESCAPE '\\')");
            String pattern = "%" + q.text().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
            args.add(pattern);
            args.add(pattern);
            args.add(pattern);
        }
        sql.append(" ORDER BY id DESC LIMIT ?");
        args.add(q.limit());
        try (Connection c = reader.getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) ps.setObject(i + 1, args.get(i));
            List<Link> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(link(rs));
            }
            return out;
        } catch (SQLException e) {
            throw new StorageException("list links", e);
        }
    }

    @Override
    public Set<String> createdByAmong(Collection<String> keys, long keyId) {
        // One statement (in chunks) per domain among the keys; most callers name links of one domain.
        Map<String, List<String>> slugsByHost = new HashMap<>();
        for (String k : keys) {
            String host = LinkKeys.domain(k);
            slugsByHost.computeIfAbsent(host == null ? "" : host, h -> new ArrayList<>()).add(LinkKeys.slug(k));
        }
        Set<String> out = new HashSet<>();
        slugsByHost.forEach((host, slugs) -> {
            for (String slug : selectIn("links created by a key", "SELECT slug FROM links WHERE domain_id = " + DOMAIN_ID
                    + " AND created_by = ? AND slug IN ", List.of(host, keyId), slugs, 0, rs -> rs.getString(1))) {
                out.add(LinkKeys.of(host, slug));
            }
        });
        return out;
    }

    /** A column read from one result row. */
    private interface Column<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /**
     * {@code sqlPrefix (?, ?, …)} over {@code values}, in chunks that keep the statement within
     * every engine's bound-parameter limit, after the {@code leading} parameters; column 1 of each row.
     */
    private <T> Set<T> selectIn(String what, String sqlPrefix, List<Object> leading, Collection<T> values, int timeoutSeconds,
                                Column<T> column) {
        Set<T> out = new HashSet<>();
        List<T> all = List.copyOf(values);
        for (int from = 0; from < all.size(); from += 500) {
            List<T> chunk = all.subList(from, Math.min(all.size(), from + 500));
            String sql = sqlPrefix + "(" + String.join(", ", java.util.Collections.nCopies(chunk.size(), "?")) + ")";
            try (Connection c = reader.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
                if (timeoutSeconds > 0) ps.setQueryTimeout(timeoutSeconds);
                int i = 1;
                for (Object p : leading) ps.setObject(i++, p);
                for (T v : chunk) ps.setObject(i++, v);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(column.read(rs));
                }
            } catch (SQLException e) {
                throw new StorageException(what, e);
            }
        }
        return out;
    }

    @Override
    public boolean consumeClick(long linkId) {
        return update("UPDATE links SET clicks = clicks + 1 WHERE id = ? AND (max_clicks IS NULL OR clicks + imported_clicks < max_clicks)",
                ps -> ps.setLong(1, linkId)) > 0;
    }

    @Override
    public long leaseCounterBlock(int size) {
        return queryOne(writer, "UPDATE counters SET value = value + ? WHERE name = 'slug' RETURNING value",
                ps -> ps.setLong(1, size), rs -> rs.getLong(1))
                .map(end -> end - size)
                .orElseThrow(() -> new StorageException("lease counter", new SQLException("counter row missing")));
    }

    @Override
    public long installationSecret(String name, long proposed) {
        update("INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING", ps -> {
            ps.setString(1, name);
            ps.setString(2, Long.toString(proposed));
        });
        return queryOne(writer, "SELECT value FROM settings WHERE name = ?", ps -> ps.setString(1, name),
                rs -> Long.parseLong(rs.getString(1))).orElseThrow();
    }

    /**
     * The redirect's own read, not {@code SELECT 1}: a lock on {@code links} or a stuck table must
     * fail readiness, and it does within a second (the statement is cancelled).
     */
    @Override
    public void ping() {
        try (Connection c = reader.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT id, slug, url FROM links LIMIT 1")) {
            ps.setQueryTimeout(1);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
            }
        } catch (SQLException e) {
            throw new StorageException("readiness check", e);
        }
    }

    // ---- API keys ----

    @Override
    public ApiKey insert(String name, String prefix, String hash, Set<Scope> scopes, Instant now) {
        update("INSERT INTO api_keys (name, prefix, hash, scopes, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING",
                ps -> {
                    ps.setString(1, name);
                    ps.setString(2, prefix);
                    ps.setString(3, hash);
                    ps.setString(4, Scope.format(scopes));
                    ps.setLong(5, now.toEpochMilli());
                });
        return queryOne(writer, "SELECT id, name, prefix, scopes, created_at, revoked_at FROM api_keys WHERE hash = ?",
                ps -> ps.setString(1, hash), JdbcStore::apiKey).orElseThrow();
    }

    @Override
    public Optional<ApiKey> findActiveByHash(String hash) {
        return queryOne(reader, "SELECT id, name, prefix, scopes, created_at, revoked_at FROM api_keys WHERE hash = ? AND revoked_at IS NULL",
                ps -> ps.setString(1, hash), JdbcStore::apiKey);
    }

    @Override
    public List<ApiKey> listKeys() {
        try (Connection c = reader.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT id, name, prefix, scopes, created_at, revoked_at FROM api_keys ORDER BY id");
             ResultSet rs = ps.executeQuery()) {
            List<ApiKey> out = new ArrayList<>();
            while (rs.next()) out.add(apiKey(rs));
            return out;
        } catch (SQLException e) {
            throw new StorageException("list keys", e);
        }
    }

    @Override
    public boolean revoke(String idOrPrefix, Instant now) {
        boolean numeric = !idOrPrefix.isEmpty() && idOrPrefix.chars().allMatch(Character::isDigit);
        return update("UPDATE api_keys SET revoked_at = ? WHERE revoked_at IS NULL AND " + (numeric ? "id = ?" : "prefix = ?"),
                ps -> {
                    ps.setLong(1, now.toEpochMilli());
                    if (numeric) ps.setLong(2, Long.parseLong(idOrPrefix));
                    else ps.setString(2, idOrPrefix);
                }) > 0;
    }

    @Override
    public Optional<ApiKey> findById(long id) {
        return queryOne(reader, "SELECT id, name, prefix, scopes, created_at, revoked_at FROM api_keys WHERE id = ?",
                ps -> ps.setLong(1, id), JdbcStore::apiKey);
    }

    @Override
    public Revoked revokeKey(long id, Instant now, boolean keepAnAdmin) {
        String select = "SELECT id, name, prefix, scopes, created_at, revoked_at FROM api_keys WHERE id = ?";
        try (Connection c = writer.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (dialect == Dialect.POSTGRES) {
                    // Two admins revoking the last two admin keys at once must not both succeed: revocations
                    // take turns (reads, and so authentication, are not blocked by this lock).
                    try (var st = c.createStatement()) {
                        st.execute("SET LOCAL lock_timeout = '5s'");
                        st.execute("LOCK TABLE api_keys IN SHARE ROW EXCLUSIVE MODE");
                    }
                }
                ApiKey key;
                try (PreparedStatement ps = c.prepareStatement(select)) {
                    ps.setLong(1, id);
                    try (ResultSet rs = ps.executeQuery()) {
                        key = rs.next() ? apiKey(rs) : null;
                    }
                }
                if (key == null || !key.active()) {
                    c.rollback();
                    return new Revoked(key == null ? Revocation.NOT_FOUND : Revocation.ALREADY_REVOKED, key);
                }
                if (keepAnAdmin && key.scopes().contains(Scope.ADMIN)) {
                    long otherAdmins;
                    try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NULL AND id <> ?"
                            + " AND (',' || scopes || ',') LIKE '%,admin,%'")) {
                        ps.setLong(1, id);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            otherAdmins = rs.getLong(1);
                        }
                    }
                    if (otherAdmins == 0) {
                        c.rollback();
                        return new Revoked(Revocation.LAST_ADMIN, key);
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("UPDATE api_keys SET revoked_at = ? WHERE id = ?")) {
                    ps.setLong(1, now.toEpochMilli());
                    ps.setLong(2, id);
                    ps.executeUpdate();
                }
                c.commit();
                return new Revoked(Revocation.REVOKED, new ApiKey(key.id(), key.name(), key.prefix(), key.scopes(), key.createdAt(),
                        Instant.ofEpochMilli(now.toEpochMilli())));
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StorageException("revoke key", e);
        }
    }

    @Override
    public Set<Long> revokedAmong(Collection<Long> ids) {
        // Asked every second: a slow answer is better skipped than queued.
        return selectIn("revoked keys", "SELECT id FROM api_keys WHERE revoked_at IS NOT NULL AND id IN ", List.of(), ids, 2,
                rs -> rs.getLong(1));
    }

    @Override
    public long countActive() {
        return queryOne(reader, "SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NULL", ps -> {}, rs -> rs.getLong(1)).orElse(0L);
    }

    // ---- helpers ----

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private interface Mapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private <T> Optional<T> queryOne(DataSource ds, String sql, Binder binder, Mapper<T> mapper) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(mapper.map(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StorageException(sql, e);
        }
    }

    private int update(String sql, Binder binder) {
        try (Connection c = writer.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new StorageException(sql, e);
        }
    }

    private static void insertTags(Connection c, long linkId, List<String> tags) throws SQLException {
        if (tags.isEmpty()) return;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO link_tags (link_id, tag) VALUES (?, ?)")) {
            for (String tag : tags) {
                ps.setLong(1, linkId);
                ps.setString(2, tag);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    static void setLong(PreparedStatement ps, int index, Long value) throws SQLException {
        if (value == null) ps.setNull(index, Types.BIGINT);
        else ps.setLong(index, value);
    }

    static Long getLong(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    private static Link link(ResultSet rs) throws SQLException {
        String tags = rs.getString("tags");
        Long expires = getLong(rs, "expires_at");
        Long blocked = getLong(rs, "blocked_at");
        return new Link(
                rs.getLong("id"),
                rs.getString("slug"),
                rs.getString("url"),
                rs.getString("title"),
                tags == null || tags.isEmpty() ? List.of() : Arrays.asList(tags.split(",")),
                expires == null ? null : Instant.ofEpochMilli(expires),
                getLong(rs, "max_clicks"),
                rs.getInt("redirect_type"),
                rs.getBoolean("forward_query"),
                Instant.ofEpochMilli(rs.getLong("created_at")),
                Instant.ofEpochMilli(rs.getLong("updated_at")),
                rs.getLong("clicks"),
                getLong(rs, "created_by"),
                blocked == null ? null : LinkBlock.admin(rs.getString("blocked_reason"), Instant.ofEpochMilli(blocked)),
                emptyToNull(rs.getString("domain_host")),
                SmartCodec.decode(rs.getString("smart")),
                rs.getString("password_hash"));
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static ApiKey apiKey(ResultSet rs) throws SQLException {
        Long revoked = getLong(rs, "revoked_at");
        return new ApiKey(rs.getLong("id"), rs.getString("name"), rs.getString("prefix"),
                Scope.parseAll(rs.getString("scopes")), Instant.ofEpochMilli(rs.getLong("created_at")),
                revoked == null ? null : Instant.ofEpochMilli(revoked));
    }
}
