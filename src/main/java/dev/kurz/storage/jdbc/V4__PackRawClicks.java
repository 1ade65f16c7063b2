package dev.kurz.storage.jdbc;

import dev.kurz.analytics.ClickAggregate.DimKey;
import dev.kurz.analytics.Registers;
import dev.kurz.analytics.Visit;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * SQLite: raw clicks move from one row per click to packed chunks, and daily dimension counts and
 * unique-visitor registers from a row per value to a blob per link and day (ADR 0013). Creates the
 * new tables, converts what is stored (click ids kept, so export cursors stay valid) and drops the
 * old tables. Runs inside Flyway's transaction: all or nothing.
 */
final class V4__PackRawClicks extends BaseJavaMigration {
    private static final int PACK_MAX = ClickLogStore.PACK_MAX;

    @Override
    public void migrate(Context context) throws SQLException {
        Connection c = context.getConnection();
        long maxId = 0;
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE click_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, data BLOB NOT NULL)");
            st.execute("CREATE TABLE click_packs (id INTEGER PRIMARY KEY, link_id INTEGER NOT NULL, ts_min INTEGER NOT NULL,"
                    + " ts_max INTEGER NOT NULL, clicks INTEGER NOT NULL, data BLOB NOT NULL)");
            st.execute("CREATE INDEX click_packs_link ON click_packs (link_id, ts_max)");
            st.execute("CREATE INDEX click_packs_ts ON click_packs (ts_max)");
            st.execute("CREATE TABLE click_dim_days (link_id INTEGER NOT NULL, day INTEGER NOT NULL, data BLOB NOT NULL,"
                    + " PRIMARY KEY (link_id, day)) WITHOUT ROWID");
            st.execute("CREATE TABLE click_uniques_days (link_id INTEGER NOT NULL, day INTEGER NOT NULL, registers BLOB NOT NULL,"
                    + " PRIMARY KEY (link_id, day)) WITHOUT ROWID");
            try (ResultSet rs = st.executeQuery("SELECT COALESCE(MAX(id), 0) FROM click_events")) {
                rs.next();
                maxId = rs.getLong(1);
            }
        }
        // Streamed in (link, time) order: one pack per link and UTC hour (at most PACK_MAX clicks), so
        // retention can drop them on time; nothing but the open pack is held in memory.
        try (PreparedStatement select = c.prepareStatement(
                "SELECT id, link_id, ts, visitor, bot, country, browser, os, device, referrer_host, ip, user_agent"
                        + " FROM click_events ORDER BY link_id, ts, id");
             PreparedStatement insert = c.prepareStatement(ClickLogStore.INSERT_PACK);
             ResultSet rs = select.executeQuery()) {
            Map<Visit, Visit> visits = new HashMap<>();
            ClickPack.Writer pack = null;
            long link = -1;
            int batched = 0;
            while (rs.next()) {
                long ts = rs.getLong(3);
                if (rs.getLong(2) != link || pack.count() == PACK_MAX || !ClickLogStore.sameHour(pack.minTs, ts)) {
                    if (pack != null) {
                        ClickLogStore.insertPack(insert, link, pack);
                        if (++batched % 500 == 0) insert.executeBatch();
                    }
                    link = rs.getLong(2);
                    pack = new ClickPack.Writer();
                    visits.clear();
                }
                Visit v = new Visit(rs.getLong(4), rs.getBoolean(5), false, rs.getString(6), rs.getString(7), rs.getString(8),
                        rs.getString(9), rs.getString(10), rs.getString(11), rs.getString(12));
                pack.add(rs.getLong(1), link, ts, false, visits.computeIfAbsent(v, k -> k), null);
            }
            if (pack != null) ClickLogStore.insertPack(insert, link, pack);
            insert.executeBatch();
        }
        convertDims(c);
        convertRegisters(c);
        try (Statement st = c.createStatement()) {
            st.execute("DROP TABLE click_events");
            st.execute("DROP TABLE click_dim");
            st.execute("DROP TABLE click_uniques");
            // New ids are (log seq << 20 | index): start the log past every id kept from the old table.
            st.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('click_log', " + ((maxId >> ClickLogStore.ID_BITS) + 1) + ")");
        }
    }

    private static void convertDims(Connection c) throws SQLException {
        Map<DimKey, long[]> rows = new HashMap<>();
        convert(c, "SELECT link_id, day, dim, value, clicks FROM click_dim ORDER BY link_id, day",
                rs -> rows.put(new DimKey(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4)), new long[] {rs.getLong(5)}),
                () -> {
                    DayRollups.addDims(c, rows);
                    rows.clear();
                });
    }

    private static void convertRegisters(Connection c) throws SQLException {
        Registers[] rows = {new Registers()};
        convert(c, "SELECT link_id, day, reg, rank FROM click_uniques ORDER BY link_id, day",
                rs -> rows[0].max(rs.getLong(1), rs.getLong(2), rs.getInt(3), rs.getInt(4)),
                () -> {
                    DayRollups.addRegisters(c, rows[0]);
                    rows[0] = new Registers();
                });
    }

    private interface SqlAction<T> {
        void run(T t) throws SQLException;
    }

    private interface SqlStep {
        void run() throws SQLException;
    }

    /**
     * Reads old rollup rows in (link, day) order — link and day the first two columns — and calls
     * {@code flush} every 1,000 link-days and at the end, so only that many are in memory.
     */
    private static void convert(Connection c, String select, SqlAction<ResultSet> take, SqlStep flush) throws SQLException {
        long lastLink = Long.MIN_VALUE;
        long lastDay = Long.MIN_VALUE;
        int keys = 0;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(select)) {
            while (rs.next()) {
                if (rs.getLong(1) != lastLink || rs.getLong(2) != lastDay) {
                    if (++keys % 1000 == 0) flush.run();
                    lastLink = rs.getLong(1);
                    lastDay = rs.getLong(2);
                }
                take.run(rs);
            }
        }
        flush.run();
    }
}
