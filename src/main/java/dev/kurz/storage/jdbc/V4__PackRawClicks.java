package dev.kurz.storage.jdbc;

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
 * SQLite: raw clicks move from one row per click to packed chunks (ADR 0013). Creates the click log
 * and the pack table, converts every stored click into packs (ids kept, so export cursors stay
 * valid), and drops the old table. Runs inside Flyway's transaction: all or nothing.
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
            try (ResultSet rs = st.executeQuery("SELECT COALESCE(MAX(id), 0) FROM click_events")) {
                rs.next();
                maxId = rs.getLong(1);
            }
        }
        Map<Visit, Visit> visits = new HashMap<>();
        try (PreparedStatement select = c.prepareStatement(
                "SELECT id, link_id, ts, visitor, bot, country, browser, os, device, referrer_host, ip, user_agent"
                        + " FROM click_events ORDER BY link_id, ts, id");
             PreparedStatement insert = c.prepareStatement(ClickLogStore.INSERT_PACK);
             ResultSet rs = select.executeQuery()) {
            ClickPack.Writer pack = null;
            long link = -1;
            while (rs.next()) {
                if (rs.getLong(2) != link || pack.count() == PACK_MAX) {
                    if (pack != null) ClickLogStore.insertPack(insert, link, pack);
                    link = rs.getLong(2);
                    pack = new ClickPack.Writer();
                }
                Visit v = new Visit(rs.getLong(4), rs.getBoolean(5), false, rs.getString(6), rs.getString(7), rs.getString(8),
                        rs.getString(9), rs.getString(10), rs.getString(11), rs.getString(12));
                pack.add(rs.getLong(1), link, rs.getLong(3), false, visits.computeIfAbsent(v, k -> k));
            }
            if (pack != null) ClickLogStore.insertPack(insert, link, pack);
            insert.executeBatch();
        }
        try (Statement st = c.createStatement()) {
            st.execute("DROP TABLE click_events");
            // New ids are (log seq << 20 | index): start the log past every id kept from the old table.
            st.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('click_log', " + ((maxId >> ClickLogStore.ID_BITS) + 1) + ")");
        }
    }
}
