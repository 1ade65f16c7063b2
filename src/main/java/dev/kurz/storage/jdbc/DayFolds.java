package dev.kurz.storage.jdbc;

import dev.kurz.analytics.ClickAggregate.TimeKey;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * PostgreSQL: folds the rows of days that are over — a row per dimension value ({@code click_dim})
 * and per unique-visitor register ({@code click_uniques}) — into one blob per link and day
 * ({@code click_dim_days}, {@code click_uniques_days}, encoded as {@link DayRollups} does on
 * SQLite), so a 30-day question reads ~30 rows of each instead of 123k registers (ADR 0019).
 *
 * <p>Flushes keep writing rows with additive upserts from any number of nodes; this never changes
 * them. A fold locks the rows of its link-days in the order flushes lock them (key order, dimension
 * values by code point, hence {@code COLLATE "C"}), deletes exactly the rows it locked and merges
 * what the delete returned (counts add, registers take the maximum), all in one transaction. A late
 * click for a folded day makes a new row, folded next time. Reads take blobs and rows in one
 * statement, one snapshot, so a fold is seen either wholly or not at all and answers stay exact.
 * One node folds at a time: each transaction first takes a transaction-level advisory lock, and a
 * node that cannot have it leaves the work to the one that has.
 */
final class DayFolds {
    /** "kurzfold": the advisory lock key of folds, on every node. */
    static final long LOCK = 0x6b75727a666f6c64L;
    /** Link-days per transaction: short transactions, so flushes touching a late row wait little. */
    static final int CHUNK = 500;

    private static final String KEYS = "unnest(?::bigint[], ?::bigint[]) AS k(link_id, day)";
    private static final String FOLD_DIMS = "WITH doomed AS (SELECT d.link_id, d.day, d.dim, d.value FROM click_dim d JOIN " + KEYS
            + " ON d.link_id = k.link_id AND d.day = k.day"
            + " ORDER BY d.link_id, d.day, d.dim COLLATE \"C\", d.value COLLATE \"C\" FOR UPDATE OF d)"
            + " DELETE FROM click_dim c USING doomed x WHERE c.link_id = x.link_id AND c.day = x.day AND c.dim = x.dim AND c.value = x.value"
            + " RETURNING c.link_id, c.day, c.dim, c.value, c.clicks";
    private static final String FOLD_REGISTERS = "WITH doomed AS (SELECT u.link_id, u.day, u.reg FROM click_uniques u JOIN " + KEYS
            + " ON u.link_id = k.link_id AND u.day = k.day ORDER BY u.link_id, u.day, u.reg FOR UPDATE OF u)"
            + " DELETE FROM click_uniques c USING doomed x WHERE c.link_id = x.link_id AND c.day = x.day AND c.reg = x.reg"
            + " RETURNING c.link_id, c.day, c.reg, c.rank";

    private DayFolds() {}

    /**
     * Folds every link-day before {@code beforeDay} (days since the epoch, UTC) that has rows, in
     * transactions of {@link #CHUNK} link-days; returns how many it folded (0 when another node is
     * folding).
     */
    static int fold(DataSource writer, long beforeDay) {
        try (Connection c = Database.unbounded(writer, Dialect.POSTGRES)) {
            List<TimeKey> pending = pending(c, beforeDay);
            int folded = 0;
            c.setAutoCommit(false);
            try {
                for (int i = 0; i < pending.size(); i += CHUNK) {
                    try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_xact_lock(?)")) {
                        ps.setLong(1, LOCK);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            if (!rs.getBoolean(1)) {
                                c.rollback();
                                return folded;
                            }
                        }
                    }
                    List<TimeKey> chunk = pending.subList(i, Math.min(pending.size(), i + CHUNK));
                    foldChunk(c, chunk);
                    c.commit();
                    folded += chunk.size();
                }
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
            if (folded > 0) {
                // The fold left as many dead rows as it folded, and a read of today's rows walks
                // their index entries until they are vacuumed: 155k of them tripled the register
                // read (14 ms against 3 ms). Autovacuum gets there within minutes; this, at once.
                try (Statement st = c.createStatement()) {
                    st.execute("VACUUM (ANALYZE) click_dim, click_uniques");
                }
            }
            return folded;
        } catch (SQLException e) {
            throw new StorageException("fold click days", e);
        }
    }

    /** Folds everything, inside the caller's transaction (the V12 migration). */
    static int foldAll(Connection c) throws SQLException {
        List<TimeKey> pending = pending(c, Long.MAX_VALUE);
        for (int i = 0; i < pending.size(); i += CHUNK) foldChunk(c, pending.subList(i, Math.min(pending.size(), i + CHUNK)));
        return pending.size();
    }

    /** The link-days before {@code beforeDay} that have rows; small, since folded rows are gone. */
    static List<TimeKey> pending(Connection c, long beforeDay) throws SQLException {
        List<TimeKey> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT link_id, day FROM click_dim WHERE day < ?"
                + " UNION SELECT link_id, day FROM click_uniques WHERE day < ? ORDER BY 1, 2")) {
            ps.setLong(1, beforeDay);
            ps.setLong(2, beforeDay);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(new TimeKey(rs.getLong(1), rs.getLong(2)));
            }
        }
        return out;
    }

    /** Dimensions before registers, as a flush writes them: one global lock order, no deadlock. */
    private static void foldChunk(Connection c, List<TimeKey> keys) throws SQLException {
        Array links = c.createArrayOf("bigint", keys.stream().map(TimeKey::linkId).toArray());
        Array days = c.createArrayOf("bigint", keys.stream().map(TimeKey::unit).toArray());

        Map<TimeKey, Map<String, Map<String, Long>>> dims = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(FOLD_DIMS)) {
            ps.setArray(1, links);
            ps.setArray(2, days);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    dims.computeIfAbsent(new TimeKey(rs.getLong(1), rs.getLong(2)), k -> new HashMap<>())
                            .computeIfAbsent(rs.getString(3), k -> new HashMap<>()).merge(rs.getString(4), rs.getLong(5), Long::sum);
                }
            }
        }
        Map<TimeKey, byte[]> registers = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(FOLD_REGISTERS)) {
            ps.setArray(1, links);
            ps.setArray(2, days);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byte[] r = registers.computeIfAbsent(new TimeKey(rs.getLong(1), rs.getLong(2)), k -> new byte[DayRollups.REGISTERS]);
                    int reg = rs.getInt(3);
                    r[reg] = (byte) Math.max(r[reg], rs.getInt(4));
                }
            }
        }

        if (!dims.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT link_id, day, data FROM click_dim_days WHERE (link_id, day) IN (SELECT * FROM " + KEYS + ")")) {
                ps.setArray(1, links);
                ps.setArray(2, days);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Map<String, Map<String, Long>> sum = dims.get(new TimeKey(rs.getLong(1), rs.getLong(2)));
                        if (sum != null) DayRollups.readDims(rs.getBytes(3), sum);
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO click_dim_days (link_id, day, data) VALUES (?, ?, ?)"
                    + " ON CONFLICT (link_id, day) DO UPDATE SET data = excluded.data")) {
                for (Map.Entry<TimeKey, Map<String, Map<String, Long>>> e : dims.entrySet()) {
                    ps.setLong(1, e.getKey().linkId());
                    ps.setLong(2, e.getKey().unit());
                    ps.setBytes(3, DayRollups.dims(e.getValue()));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        if (!registers.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT link_id, day, registers FROM click_uniques_days WHERE (link_id, day) IN (SELECT * FROM " + KEYS + ")")) {
                ps.setArray(1, links);
                ps.setArray(2, days);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        byte[] r = registers.get(new TimeKey(rs.getLong(1), rs.getLong(2)));
                        if (r != null) DayRollups.maxInto(rs.getBytes(3), r);
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO click_uniques_days (link_id, day, registers) VALUES (?, ?, ?)"
                    + " ON CONFLICT (link_id, day) DO UPDATE SET registers = excluded.registers")) {
                for (Map.Entry<TimeKey, byte[]> e : registers.entrySet()) {
                    ps.setLong(1, e.getKey().linkId());
                    ps.setLong(2, e.getKey().unit());
                    ps.setBytes(3, DayRollups.registers(e.getValue()));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
    }
}
