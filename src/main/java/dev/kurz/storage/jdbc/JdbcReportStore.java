package dev.kurz.storage.jdbc;

import dev.kurz.abuse.Report;
import dev.kurz.abuse.ReportStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Abuse reports in SQLite or PostgreSQL (table {@code abuse_reports}, migration V5). */
public final class JdbcReportStore implements ReportStore {
    private static final String COLUMNS = "id, url, slug, reason, email, client_ip, request_id, created_at";
    private final DataSource writer;
    private final DataSource reader;

    public JdbcReportStore(Database db) {
        this.writer = db.writer();
        this.reader = db.reader();
    }

    @Override
    public Report insert(Report r) {
        try (Connection c = writer.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO abuse_reports (url, slug, reason, email, client_ip, request_id, created_at)"
                     + " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")) {
            ps.setString(1, r.url());
            ps.setString(2, r.slug());
            ps.setString(3, r.reason());
            ps.setString(4, r.email());
            ps.setString(5, r.clientIp());
            ps.setString(6, r.requestId());
            ps.setLong(7, r.createdAt().toEpochMilli());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long id = rs.getLong(1);
                return new Report(id, r.url(), r.slug(), r.reason(), r.email(), r.clientIp(), r.requestId(),
                        Instant.ofEpochMilli(r.createdAt().toEpochMilli()));
            }
        } catch (SQLException e) {
            throw new StorageException("insert abuse report", e);
        }
    }

    @Override
    public List<Report> list(int limit, Long beforeId) {
        String sql = "SELECT " + COLUMNS + " FROM abuse_reports" + (beforeId != null ? " WHERE id < ?" : "") + " ORDER BY id DESC LIMIT ?";
        try (Connection c = reader.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            if (beforeId != null) ps.setLong(i++, beforeId);
            ps.setInt(i, limit);
            List<Report> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Report(rs.getLong("id"), rs.getString("url"), rs.getString("slug"), rs.getString("reason"),
                            rs.getString("email"), rs.getString("client_ip"), rs.getString("request_id"),
                            Instant.ofEpochMilli(rs.getLong("created_at"))));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StorageException("list abuse reports", e);
        }
    }
}
