package dev.kurz.storage.jdbc;

import dev.kurz.analytics.OrphanVisits;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** Orphan visits in SQLite or PostgreSQL (tables {@code orphan_visit_days} and {@code orphan_visits}, migration V10). */
public final class JdbcOrphanStore implements OrphanVisits.Store {
    private final DataSource writer;
    private final DataSource reader;

    public JdbcOrphanStore(Database db) {
        this.writer = db.writer();
        this.reader = db.reader();
    }

    @Override
    public void write(List<OrphanVisits.Stored> visits) {
        Map<Long, long[]> days = new HashMap<>();
        for (OrphanVisits.Stored v : visits) {
            long[] d = days.computeIfAbsent(Math.floorDiv(v.epochMillis(), 86_400_000L), k -> new long[2]);
            d[0]++;
            if (v.bot()) d[1]++;
        }
        try (Connection c = writer.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement day = c.prepareStatement("INSERT INTO orphan_visit_days (day, visits, bots) VALUES (?, ?, ?)"
                    + " ON CONFLICT (day) DO UPDATE SET visits = orphan_visit_days.visits + excluded.visits, bots = orphan_visit_days.bots + excluded.bots");
                 PreparedStatement raw = c.prepareStatement("INSERT INTO orphan_visits (ts, path, referrer_host, user_agent, bot) VALUES (?, ?, ?, ?, ?)")) {
                for (var e : days.entrySet()) {
                    day.setLong(1, e.getKey());
                    day.setLong(2, e.getValue()[0]);
                    day.setLong(3, e.getValue()[1]);
                    day.addBatch();
                }
                day.executeBatch();
                for (OrphanVisits.Stored v : visits) {
                    raw.setLong(1, v.epochMillis());
                    raw.setString(2, v.path());
                    raw.setString(3, v.referrerHost());
                    raw.setString(4, v.userAgent());
                    raw.setBoolean(5, v.bot());
                    raw.addBatch();
                }
                raw.executeBatch();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StorageException("write orphan visits", e);
        }
    }

    @Override
    public OrphanVisits.Totals totals() {
        try (Connection c = reader.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT COALESCE(SUM(visits), 0), COALESCE(SUM(bots), 0) FROM orphan_visit_days");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new OrphanVisits.Totals(rs.getLong(1), rs.getLong(2));
        } catch (SQLException e) {
            throw new StorageException("count orphan visits", e);
        }
    }

    @Override
    public List<OrphanVisits.Stored> recent(long fromMillis, long toMillis, int limit) {
        try (Connection c = reader.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT id, ts, path, referrer_host, user_agent, bot FROM orphan_visits"
                     + " WHERE ts >= ? AND ts < ? ORDER BY ts DESC, id DESC LIMIT ?")) {
            ps.setLong(1, fromMillis);
            ps.setLong(2, toMillis);
            ps.setInt(3, limit);
            List<OrphanVisits.Stored> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new OrphanVisits.Stored(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getBoolean(6)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StorageException("read orphan visits", e);
        }
    }

    @Override
    public long purge(long cutoffMillis, int keep) {
        try (Connection c = writer.getConnection();
             PreparedStatement old = c.prepareStatement("DELETE FROM orphan_visits WHERE ts < ?");
             PreparedStatement over = c.prepareStatement("DELETE FROM orphan_visits WHERE id <= (SELECT id FROM orphan_visits ORDER BY id DESC LIMIT 1 OFFSET ?)")) {
            old.setLong(1, cutoffMillis);
            long removed = old.executeUpdate();
            over.setInt(1, keep);
            return removed + over.executeUpdate();
        } catch (SQLException e) {
            throw new StorageException("purge orphan visits", e);
        }
    }
}
