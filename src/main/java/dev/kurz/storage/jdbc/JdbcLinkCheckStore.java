package dev.kurz.storage.jdbc;

import dev.kurz.linkcheck.LinkCheckStore;
import dev.kurz.linkcheck.LinkHealth;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** Link health for SQLite and PostgreSQL; claims as for webhook deliveries (SKIP LOCKED on PostgreSQL). */
public final class JdbcLinkCheckStore implements LinkCheckStore {
    private static final int TIMEOUT_SECONDS = 10;
    private final Dialect dialect;
    private final DataSource writer;
    private final DataSource reader;

    public JdbcLinkCheckStore(Database db) {
        this.dialect = db.dialect();
        this.writer = db.writer();
        this.reader = db.reader();
    }

    @Override
    public List<Due> claimDue(String node, Instant now, Instant checkedBefore, Instant leaseUntil, int limit) {
        String lock = dialect == Dialect.POSTGRES ? " FOR UPDATE SKIP LOCKED" : "";
        try (Connection c = writer.getConnection()) {
            c.setAutoCommit(false);
            try {
                // Links never seen get their row here, a bounded number per round.
                String insert = dialect == Dialect.POSTGRES ? "INSERT INTO" : "INSERT OR IGNORE INTO";
                String ignore = dialect == Dialect.POSTGRES ? " ON CONFLICT (link_id) DO NOTHING" : "";
                try (PreparedStatement ps = c.prepareStatement(insert + " link_health (link_id, status) SELECT l.id, 'unknown' FROM links l"
                        + " LEFT JOIN link_health h ON h.link_id = l.id WHERE h.link_id IS NULL ORDER BY l.id LIMIT 1000" + ignore)) {
                    ps.setQueryTimeout(TIMEOUT_SECONDS);
                    ps.executeUpdate();
                }
                List<long[]> claimed = new ArrayList<>();
                Map<Long, String> before = new HashMap<>();
                try (PreparedStatement ps = c.prepareStatement("UPDATE link_health SET claimed_by = ?, lease_until = ? WHERE link_id IN ("
                        + "SELECT link_id FROM link_health WHERE (checked_at IS NULL OR checked_at < ?) AND (lease_until IS NULL OR lease_until < ?)"
                        + " ORDER BY COALESCE(checked_at, 0), link_id LIMIT ?" + lock + ")"
                        + " AND (lease_until IS NULL OR lease_until < ?) RETURNING link_id, status")) {
                    ps.setQueryTimeout(TIMEOUT_SECONDS);
                    ps.setString(1, node);
                    ps.setLong(2, leaseUntil.toEpochMilli());
                    ps.setLong(3, checkedBefore.toEpochMilli());
                    ps.setLong(4, now.toEpochMilli());
                    ps.setInt(5, limit);
                    ps.setLong(6, now.toEpochMilli());
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            claimed.add(new long[] {rs.getLong(1)});
                            before.put(rs.getLong(1), rs.getString(2));
                        }
                    }
                }
                c.commit();
                if (claimed.isEmpty()) return List.of();
                List<Due> out = new ArrayList<>();
                String in = String.join(", ", java.util.Collections.nCopies(claimed.size(), "?"));
                // The link's key (host/slug off the default domain): what its alert rules and live room are named by.
                try (PreparedStatement ps = c.prepareStatement("SELECT l.id, CASE WHEN d.host = '' THEN l.slug ELSE d.host || '/' || l.slug END, l.url"
                        + " FROM links l JOIN domains d ON d.id = l.domain_id WHERE l.id IN (" + in + ") ORDER BY l.id")) {
                    ps.setQueryTimeout(TIMEOUT_SECONDS);
                    for (int i = 0; i < claimed.size(); i++) ps.setLong(i + 1, claimed.get(i)[0]);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            long id = rs.getLong(1);
                            out.add(new Due(id, rs.getString(2), rs.getString(3), LinkHealth.Status.parse(before.get(id))));
                        }
                    }
                }
                c.commit();
                return out;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StorageException("claim link checks", e);
        }
    }

    @Override
    public void record(long linkId, LinkHealth h) {
        try (Connection c = writer.getConnection(); PreparedStatement ps = c.prepareStatement("UPDATE link_health SET status = ?,"
                + " http_status = ?, error = ?, checked_at = ?, claimed_by = NULL, lease_until = NULL WHERE link_id = ?")) {
            ps.setQueryTimeout(TIMEOUT_SECONDS);
            ps.setString(1, h.status().label());
            if (h.httpStatus() == null) ps.setNull(2, Types.INTEGER);
            else ps.setInt(2, h.httpStatus());
            ps.setString(3, h.error());
            ps.setLong(4, h.checkedAt().toEpochMilli());
            ps.setLong(5, linkId);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StorageException("record link check", e);
        }
    }

    @Override
    public Map<Long, LinkHealth> healthOf(Collection<Long> linkIds) {
        Map<Long, LinkHealth> out = new HashMap<>();
        if (linkIds.isEmpty()) return out;
        List<Long> ids = List.copyOf(linkIds);
        for (int from = 0; from < ids.size(); from += 500) {
            List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
            String in = String.join(", ", java.util.Collections.nCopies(chunk.size(), "?"));
            try (Connection c = reader.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "SELECT link_id, status, http_status, error, checked_at FROM link_health WHERE link_id IN (" + in + ")")) {
                ps.setQueryTimeout(TIMEOUT_SECONDS);
                for (int i = 0; i < chunk.size(); i++) ps.setLong(i + 1, chunk.get(i));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        int status = rs.getInt(3);
                        Integer http = rs.wasNull() ? null : status;
                        long at = rs.getLong(5);
                        Instant checked = rs.wasNull() ? null : Instant.ofEpochMilli(at);
                        out.put(rs.getLong(1), new LinkHealth(LinkHealth.Status.parse(rs.getString(2)), http, rs.getString(4), checked));
                    }
                }
            } catch (SQLException e) {
                throw new StorageException("read link health", e);
            }
        }
        return out;
    }
}
