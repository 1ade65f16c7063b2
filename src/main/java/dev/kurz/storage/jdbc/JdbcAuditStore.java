package dev.kurz.storage.jdbc;

import dev.kurz.audit.AuditEvent;
import dev.kurz.audit.AuditStore;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** The audit trail for SQLite and PostgreSQL: one append-only table, paged newest first by id. */
public final class JdbcAuditStore implements AuditStore {
    private static final String COLUMNS = "id, at, key_id, key_name, ip, request_id, action, target, changes";
    /** A statement that outlives this is a fault: the request gets its 503, not a hang. */
    private static final int TIMEOUT_SECONDS = 10;
    private final DataSource writer;
    private final DataSource reader;

    public JdbcAuditStore(Database db) {
        this.writer = db.writer();
        this.reader = db.reader();
    }

    @Override
    public void append(List<Entry> entries) {
        if (entries.isEmpty()) return;
        try (Connection c = writer.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO audit_events (at, key_id, key_name, ip, request_id, action, target, changes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setQueryTimeout(TIMEOUT_SECONDS);
                for (Entry e : entries) {
                    ps.setLong(1, e.at().toEpochMilli());
                    if (e.keyId() == null) ps.setNull(2, Types.BIGINT);
                    else ps.setLong(2, e.keyId());
                    ps.setString(3, e.keyName());
                    ps.setString(4, e.ip());
                    ps.setString(5, e.requestId());
                    ps.setString(6, e.action());
                    ps.setString(7, e.target());
                    ps.setString(8, e.changes().encode());
                    ps.addBatch();
                }
                ps.executeBatch();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StorageException("append audit events", e);
        }
    }

    @Override
    public List<AuditEvent> list(Long beforeId, String action, String target, int limit) {
        StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS).append(" FROM audit_events WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (beforeId != null) {
            sql.append(" AND id < ?");
            args.add(beforeId);
        }
        if (action != null) {
            sql.append(" AND action = ?");
            args.add(action);
        }
        if (target != null) {
            sql.append(" AND target = ?");
            args.add(target);
        }
        sql.append(" ORDER BY id DESC LIMIT ?");
        args.add(limit);
        try (Connection c = reader.getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            ps.setQueryTimeout(TIMEOUT_SECONDS);
            for (int i = 0; i < args.size(); i++) ps.setObject(i + 1, args.get(i));
            List<AuditEvent> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(event(rs));
            }
            return out;
        } catch (SQLException e) {
            throw new StorageException("list audit events", e);
        }
    }

    @Override
    public long purgeBefore(Instant cutoff) {
        try (Connection c = writer.getConnection(); PreparedStatement ps = c.prepareStatement("DELETE FROM audit_events WHERE at < ?")) {
            ps.setLong(1, cutoff.toEpochMilli());
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new StorageException("purge audit events", e);
        }
    }

    private static AuditEvent event(ResultSet rs) throws SQLException {
        long keyId = rs.getLong("key_id");
        Long key = rs.wasNull() ? null : keyId;
        String changes = rs.getString("changes");
        return new AuditEvent(rs.getLong("id"), Instant.ofEpochMilli(rs.getLong("at")), key, rs.getString("key_name"), rs.getString("ip"),
                rs.getString("request_id"), rs.getString("action"), rs.getString("target"),
                changes == null || changes.isEmpty() ? new JsonObject() : new JsonObject(changes));
    }
}
