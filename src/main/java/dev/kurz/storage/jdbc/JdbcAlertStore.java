package dev.kurz.storage.jdbc;

import dev.kurz.alert.AlertEvent;
import dev.kurz.alert.AlertRule;
import dev.kurz.alert.AlertStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Alert rules and events for SQLite and PostgreSQL. */
public final class JdbcAlertStore implements AlertStore {
    private static final String RULE_COLUMNS = "id, slug, kind, threshold, window_minutes, cooldown_minutes, created_at, last_fired_at";
    private static final String EVENT_COLUMNS = "id, rule_id, slug, kind, value, message, fired_at";
    private final DataSource writer;
    private final DataSource reader;

    public JdbcAlertStore(Database db) {
        this.writer = db.writer();
        this.reader = db.reader();
    }

    @Override
    public AlertRule insertRule(String slug, AlertRule.Kind kind, long threshold, int windowMinutes, int cooldownMinutes, Instant now) {
        try (Connection c = writer.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO alert_rules (slug, kind, threshold, window_minutes, cooldown_minutes, created_at) VALUES (?, ?, ?, ?, ?, ?)"
                        + " RETURNING " + RULE_COLUMNS)) {
            if (slug == null) ps.setNull(1, Types.VARCHAR);
            else ps.setString(1, slug);
            ps.setString(2, kind.label);
            ps.setLong(3, threshold);
            ps.setInt(4, windowMinutes);
            ps.setInt(5, cooldownMinutes);
            ps.setLong(6, now.toEpochMilli());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rule(rs);
            }
        } catch (SQLException e) {
            throw new StorageException("insert alert rule", e);
        }
    }

    @Override
    public List<AlertRule> rules() {
        List<AlertRule> out = new ArrayList<>();
        try (Connection c = reader.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + RULE_COLUMNS + " FROM alert_rules ORDER BY id");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) out.add(rule(rs));
            return out;
        } catch (SQLException e) {
            throw new StorageException("list alert rules", e);
        }
    }

    @Override
    public boolean deleteRule(long id) {
        try (Connection c = writer.getConnection(); PreparedStatement ps = c.prepareStatement("DELETE FROM alert_rules WHERE id = ?")) {
            ps.setLong(1, id);
            return ps.executeUpdate() > 0;
        } catch (SQLException e) {
            throw new StorageException("delete alert rule", e);
        }
    }

    @Override
    public boolean tryFire(long ruleId, Instant now, Instant notFiredSince) {
        try (Connection c = writer.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE alert_rules SET last_fired_at = ? WHERE id = ? AND (last_fired_at IS NULL OR last_fired_at <= ?)")) {
            ps.setLong(1, now.toEpochMilli());
            ps.setLong(2, ruleId);
            ps.setLong(3, notFiredSince.toEpochMilli());
            return ps.executeUpdate() > 0;
        } catch (SQLException e) {
            throw new StorageException("fire alert", e);
        }
    }

    @Override
    public AlertEvent insertEvent(long ruleId, String slug, AlertRule.Kind kind, long value, String message, Instant firedAt) {
        try (Connection c = writer.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO alert_events (rule_id, slug, kind, value, message, fired_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING " + EVENT_COLUMNS)) {
            ps.setLong(1, ruleId);
            if (slug == null) ps.setNull(2, Types.VARCHAR);
            else ps.setString(2, slug);
            ps.setString(3, kind.label);
            ps.setLong(4, value);
            ps.setString(5, message);
            ps.setLong(6, firedAt.toEpochMilli());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return event(rs);
            }
        } catch (SQLException e) {
            throw new StorageException("insert alert event", e);
        }
    }

    @Override
    public List<AlertEvent> events(Long beforeId, int limit) {
        List<AlertEvent> out = new ArrayList<>();
        try (Connection c = reader.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT " + EVENT_COLUMNS + " FROM alert_events" + (beforeId == null ? "" : " WHERE id < ?") + " ORDER BY id DESC LIMIT ?")) {
            int i = 1;
            if (beforeId != null) ps.setLong(i++, beforeId);
            ps.setInt(i, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(event(rs));
            }
            return out;
        } catch (SQLException e) {
            throw new StorageException("list alert events", e);
        }
    }

    private static AlertRule rule(ResultSet rs) throws SQLException {
        long fired = rs.getLong("last_fired_at");
        boolean neverFired = rs.wasNull();
        return new AlertRule(rs.getLong("id"), rs.getString("slug"), AlertRule.Kind.parse(rs.getString("kind")), rs.getLong("threshold"),
                rs.getInt("window_minutes"), rs.getInt("cooldown_minutes"), Instant.ofEpochMilli(rs.getLong("created_at")),
                neverFired ? null : Instant.ofEpochMilli(fired));
    }

    private static AlertEvent event(ResultSet rs) throws SQLException {
        return new AlertEvent(rs.getLong("id"), rs.getLong("rule_id"), rs.getString("slug"), AlertRule.Kind.parse(rs.getString("kind")),
                rs.getLong("value"), rs.getString("message"), Instant.ofEpochMilli(rs.getLong("fired_at")));
    }
}
