package dev.kurz.storage.jdbc;

import dev.kurz.webhook.Delivery;
import dev.kurz.webhook.Event;
import dev.kurz.webhook.Webhook;
import dev.kurz.webhook.WebhookStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Webhook endpoints and their outbox for SQLite and PostgreSQL. Claims are one UPDATE over the
 * due rows: PostgreSQL skips rows another node has locked ({@code FOR UPDATE SKIP LOCKED}); SQLite
 * has one writer, so the UPDATE alone is atomic. Every statement has a deadline.
 */
public final class JdbcWebhookStore implements WebhookStore {
    private static final int TIMEOUT_SECONDS = 10;
    private static final String HOOK_COLUMNS = "id, url, events, description, secret, previous_secret, previous_until, enabled,"
            + " created_at, updated_at, failing_since, disabled_reason";
    private static final String DELIVERY_COLUMNS = "id, webhook_id, type, order_key, payload, request_id, state, attempts,"
            + " next_attempt_at, window_start, created_at, last_status, last_error, finished_at";
    private static final String UNFINISHED = "('queued', 'running')";

    private final Dialect dialect;
    private final DataSource writer;
    private final DataSource reader;

    public JdbcWebhookStore(Database db) {
        this.dialect = db.dialect();
        this.writer = db.writer();
        this.reader = db.reader();
    }

    // ---- the outbox, inside another store's transaction ----

    /** Queues the event for every enabled endpoint that subscribes to it, on {@code c} (the caller's transaction). */
    static int enqueue(Connection c, Event e, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO webhook_deliveries (webhook_id, type, order_key, payload, request_id,"
                + " state, attempts, next_attempt_at, window_start, created_at) SELECT id, ?, ?, ?, ?, 'queued', 0, ?, ?, ? FROM webhooks"
                + " WHERE enabled = TRUE AND (',' || events || ',') LIKE ?")) {
            ps.setQueryTimeout(TIMEOUT_SECONDS);
            ps.setString(1, e.type());
            ps.setString(2, e.orderKey());
            ps.setString(3, e.body());
            ps.setString(4, e.requestId());
            ps.setLong(5, now);
            ps.setLong(6, now);
            ps.setLong(7, now);
            ps.setString(8, "%," + e.type() + ",%");
            return ps.executeUpdate();
        }
    }

    @Override
    public int publish(List<Event> events, Instant now) {
        if (events.isEmpty()) return 0;
        return inTransaction("publish webhook events", c -> {
            int n = 0;
            for (Event e : events) n += enqueue(c, e, now.toEpochMilli());
            return n;
        });
    }

    @Override
    public Set<String> subscribedTypes() {
        Set<String> out = new HashSet<>();
        query(reader, "SELECT events FROM webhooks WHERE enabled = TRUE", ps -> {}, rs -> {
            out.addAll(Arrays.asList(rs.getString(1).split(",")));
            return null;
        });
        return out;
    }

    // ---- endpoints ----

    @Override
    public Webhook insert(String url, List<String> events, String description, String secret, Instant now) {
        long id = query(writer, "INSERT INTO webhooks (url, events, description, secret, enabled, created_at, updated_at)"
                + " VALUES (?, ?, ?, ?, TRUE, ?, ?) RETURNING id", ps -> {
            ps.setString(1, url);
            ps.setString(2, String.join(",", events));
            ps.setString(3, description);
            ps.setString(4, secret);
            ps.setLong(5, now.toEpochMilli());
            ps.setLong(6, now.toEpochMilli());
        }, rs -> rs.getLong(1)).getFirst();
        return find(id, writer).orElseThrow();
    }

    @Override
    public Optional<Webhook> find(long id) {
        return find(id, writer);
    }

    private Optional<Webhook> find(long id, DataSource ds) {
        return query(ds, "SELECT " + HOOK_COLUMNS + " FROM webhooks WHERE id = ?", ps -> ps.setLong(1, id), JdbcWebhookStore::webhook)
                .stream().findFirst();
    }

    @Override
    public List<Webhook> list() {
        return query(reader, "SELECT " + HOOK_COLUMNS + " FROM webhooks ORDER BY id", ps -> {}, JdbcWebhookStore::webhook);
    }

    @Override
    public Optional<Webhook> update(Webhook w, Instant now) {
        int n = update("UPDATE webhooks SET url = ?, events = ?, description = ?, enabled = ?, updated_at = ?,"
                + " failing_since = CASE WHEN ? THEN NULL ELSE failing_since END, disabled_reason = CASE WHEN ? THEN NULL ELSE disabled_reason END"
                + " WHERE id = ?", ps -> {
            ps.setString(1, w.url());
            ps.setString(2, String.join(",", w.events()));
            ps.setString(3, w.description());
            ps.setBoolean(4, w.enabled());
            ps.setLong(5, now.toEpochMilli());
            ps.setBoolean(6, w.enabled());
            ps.setBoolean(7, w.enabled());
            ps.setLong(8, w.id());
        });
        return n == 0 ? Optional.empty() : find(w.id(), writer);
    }

    @Override
    public Optional<Webhook> rotate(long id, String secret, Instant previousUntil, Instant now) {
        int n = update("UPDATE webhooks SET previous_secret = secret, previous_until = ?, secret = ?, updated_at = ? WHERE id = ?", ps -> {
            ps.setLong(1, previousUntil.toEpochMilli());
            ps.setString(2, secret);
            ps.setLong(3, now.toEpochMilli());
            ps.setLong(4, id);
        });
        return n == 0 ? Optional.empty() : find(id, writer);
    }

    @Override
    public boolean delete(long id) {
        return update("DELETE FROM webhooks WHERE id = ?", ps -> ps.setLong(1, id)) > 0;
    }

    // ---- delivery ----

    @Override
    public List<Delivery> claim(String node, Instant now, Instant leaseUntil, int limit) {
        long t = now.toEpochMilli();
        // The dispatcher asks every second: nothing due (the usual answer) is read on a reader,
        // without a write transaction, which on SQLite would take the single writer from the clicks.
        if (query(reader, "SELECT 1 FROM webhook_deliveries WHERE (state = 'queued' AND next_attempt_at <= ?)"
                + " OR (state = 'running' AND lease_until < ?) LIMIT 1", ps -> {
                    ps.setLong(1, t);
                    ps.setLong(2, t);
                }, rs -> 1).isEmpty()) {
            return List.of();
        }
        String lock = dialect == Dialect.POSTGRES ? " FOR UPDATE OF d SKIP LOCKED" : "";
        String sql = "UPDATE webhook_deliveries SET state = 'running', claimed_by = ?, lease_until = ? WHERE id IN ("
                + "SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id"
                + " WHERE w.enabled = TRUE AND d.next_attempt_at <= ?"
                + " AND (d.state = 'queued' OR (d.state = 'running' AND d.lease_until < ?))"
                + " AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.webhook_id = d.webhook_id AND e.order_key = d.order_key"
                + " AND e.id < d.id AND e.state IN " + UNFINISHED + ")"
                + " ORDER BY d.id LIMIT ?" + lock + ")"
                + " AND (state = 'queued' OR (state = 'running' AND lease_until < ?))"
                + " RETURNING " + DELIVERY_COLUMNS;
        List<Delivery> claimed = inTransaction("claim webhook deliveries", c -> {
            List<Delivery> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setQueryTimeout(TIMEOUT_SECONDS);
                ps.setString(1, node);
                ps.setLong(2, leaseUntil.toEpochMilli());
                ps.setLong(3, t);
                ps.setLong(4, t);
                ps.setInt(5, limit);
                ps.setLong(6, t);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(delivery(rs));
                }
            }
            return out;
        });
        claimed.sort(java.util.Comparator.comparingLong(Delivery::id));
        return claimed;
    }

    @Override
    public boolean finish(Delivery d, String node, Outcome o, Instant disableBefore, String disabledReason) {
        return inTransaction("record webhook attempt", c -> {
            Delivery.Attempt a = o.attempt();
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO webhook_attempts (delivery_id, at, status_code, duration_ms, error) VALUES (?, ?, ?, ?, ?)")) {
                ps.setQueryTimeout(TIMEOUT_SECONDS);
                ps.setLong(1, d.id());
                ps.setLong(2, a.at().toEpochMilli());
                setInt(ps, 3, a.statusCode());
                ps.setLong(4, a.durationMillis());
                ps.setString(5, a.error());
                ps.executeUpdate();
            }
            boolean finished = o.next() == Delivery.State.DELIVERED || o.next() == Delivery.State.DEAD;
            try (PreparedStatement ps = c.prepareStatement("UPDATE webhook_deliveries SET state = ?, attempts = attempts + 1,"
                    + " next_attempt_at = ?, last_status = ?, last_error = ?, finished_at = ?, claimed_by = NULL, lease_until = NULL"
                    + " WHERE id = ? AND state = 'running' AND claimed_by = ?")) {
                ps.setQueryTimeout(TIMEOUT_SECONDS);
                ps.setString(1, o.next().label());
                ps.setLong(2, o.nextAttemptAt().toEpochMilli());
                setInt(ps, 3, a.statusCode());
                ps.setString(4, a.error());
                if (finished) ps.setLong(5, a.at().toEpochMilli());
                else ps.setNull(5, Types.BIGINT);
                ps.setLong(6, d.id());
                ps.setString(7, node);
                ps.executeUpdate();
            }
            if (a.error() == null) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE webhooks SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL")) {
                    ps.setLong(1, d.webhookId());
                    ps.executeUpdate();
                }
                return false;
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE webhooks SET failing_since = ? WHERE id = ? AND failing_since IS NULL")) {
                ps.setLong(1, a.at().toEpochMilli());
                ps.setLong(2, d.webhookId());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE webhooks SET enabled = FALSE, disabled_reason = ?, updated_at = ?"
                    + " WHERE id = ? AND enabled = TRUE AND failing_since <= ?")) {
                ps.setString(1, disabledReason);
                ps.setLong(2, a.at().toEpochMilli());
                ps.setLong(3, d.webhookId());
                ps.setLong(4, disableBefore.toEpochMilli());
                return ps.executeUpdate() > 0;
            }
        });
    }

    @Override
    public void release(Delivery d, String node, Instant nextAttemptAt) {
        update("UPDATE webhook_deliveries SET state = 'queued', next_attempt_at = ?, claimed_by = NULL, lease_until = NULL"
                + " WHERE id = ? AND state = 'running' AND claimed_by = ?", ps -> {
            ps.setLong(1, nextAttemptAt.toEpochMilli());
            ps.setLong(2, d.id());
            ps.setString(3, node);
        });
    }

    @Override
    public List<Delivery> deliveries(long webhookId, Long beforeId, int limit) {
        List<Delivery> page = query(reader, "SELECT " + DELIVERY_COLUMNS + " FROM webhook_deliveries WHERE webhook_id = ?"
                + (beforeId == null ? "" : " AND id < ?") + " ORDER BY id DESC LIMIT ?", ps -> {
            int i = 1;
            ps.setLong(i++, webhookId);
            if (beforeId != null) ps.setLong(i++, beforeId);
            ps.setInt(i, limit);
        }, JdbcWebhookStore::delivery);
        if (page.isEmpty()) return page;
        Map<Long, List<Delivery.Attempt>> attempts = new HashMap<>();
        String in = String.join(", ", java.util.Collections.nCopies(page.size(), "?"));
        query(reader, "SELECT delivery_id, at, status_code, duration_ms, error FROM webhook_attempts WHERE delivery_id IN (" + in
                + ") ORDER BY id", ps -> {
            for (int i = 0; i < page.size(); i++) ps.setLong(i + 1, page.get(i).id());
        }, rs -> {
            attempts.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(attempt(rs));
            return null;
        });
        return page.stream().map(d -> d.withHistory(List.copyOf(attempts.getOrDefault(d.id(), List.of())))).toList();
    }

    @Override
    public Optional<Delivery> delivery(long webhookId, long deliveryId) {
        Optional<Delivery> d = query(writer, "SELECT " + DELIVERY_COLUMNS + " FROM webhook_deliveries WHERE webhook_id = ? AND id = ?", ps -> {
            ps.setLong(1, webhookId);
            ps.setLong(2, deliveryId);
        }, JdbcWebhookStore::delivery).stream().findFirst();
        return d.map(x -> x.withHistory(query(writer, "SELECT delivery_id, at, status_code, duration_ms, error FROM webhook_attempts"
                + " WHERE delivery_id = ? ORDER BY id", ps -> ps.setLong(1, deliveryId), JdbcWebhookStore::attempt)));
    }

    @Override
    public Optional<Delivery> retry(long webhookId, long deliveryId, Instant now) {
        int n = update("UPDATE webhook_deliveries SET state = 'queued', next_attempt_at = ?, window_start = ?, finished_at = NULL"
                + " WHERE webhook_id = ? AND id = ? AND state IN ('delivered', 'dead')", ps -> {
            ps.setLong(1, now.toEpochMilli());
            ps.setLong(2, now.toEpochMilli());
            ps.setLong(3, webhookId);
            ps.setLong(4, deliveryId);
        });
        return n == 0 ? Optional.empty() : delivery(webhookId, deliveryId);
    }

    @Override
    public long purgeFinishedBefore(Instant cutoff) {
        return update("DELETE FROM webhook_deliveries WHERE state IN ('delivered', 'dead') AND finished_at < ?",
                ps -> ps.setLong(1, cutoff.toEpochMilli()));
    }

    // ---- helpers ----

    interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T inTransaction(String what, Work<T> work) {
        try (Connection c = writer.getConnection()) {
            c.setAutoCommit(false);
            try {
                T out = work.run(c);
                c.commit();
                return out;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StorageException(what, e);
        }
    }

    private static <T> List<T> query(DataSource ds, String sql, Binder binder, Row<T> row) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setQueryTimeout(TIMEOUT_SECONDS);
            binder.bind(ps);
            List<T> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(row.map(rs));
            }
            return out;
        } catch (SQLException e) {
            throw new StorageException(sql, e);
        }
    }

    private int update(String sql, Binder binder) {
        try (Connection c = writer.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setQueryTimeout(TIMEOUT_SECONDS);
            binder.bind(ps);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new StorageException(sql, e);
        }
    }

    private static void setInt(PreparedStatement ps, int i, Integer v) throws SQLException {
        if (v == null) ps.setNull(i, Types.INTEGER);
        else ps.setInt(i, v);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }

    private static Integer integer(ResultSet rs, String column) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? null : v;
    }

    private static Webhook webhook(ResultSet rs) throws SQLException {
        String events = rs.getString("events");
        return new Webhook(rs.getLong("id"), rs.getString("url"), events.isEmpty() ? List.of() : List.of(events.split(",")),
                rs.getString("description"), rs.getString("secret"), rs.getString("previous_secret"), instant(rs, "previous_until"),
                rs.getBoolean("enabled"), instant(rs, "created_at"), instant(rs, "updated_at"), instant(rs, "failing_since"),
                rs.getString("disabled_reason"));
    }

    private static Delivery delivery(ResultSet rs) throws SQLException {
        return new Delivery(rs.getLong("id"), rs.getLong("webhook_id"), rs.getString("type"), rs.getString("order_key"),
                rs.getString("payload"), rs.getString("request_id"), Delivery.State.valueOf(rs.getString("state").toUpperCase(java.util.Locale.ROOT)),
                rs.getInt("attempts"), instant(rs, "next_attempt_at"), instant(rs, "window_start"), instant(rs, "created_at"),
                integer(rs, "last_status"), rs.getString("last_error"), instant(rs, "finished_at"), List.of());
    }

    private static Delivery.Attempt attempt(ResultSet rs) throws SQLException {
        return new Delivery.Attempt(instant(rs, "at"), integer(rs, "status_code"), rs.getLong("duration_ms"), rs.getString("error"));
    }
}
