package dev.kurz.storage.jdbc;

import dev.kurz.analytics.ClickAggregate;
import dev.kurz.analytics.ClickAggregate.Counts;
import dev.kurz.analytics.ClickAggregate.DimKey;
import dev.kurz.analytics.Registers;
import dev.kurz.analytics.ClickAggregate.TimeKey;
import dev.kurz.analytics.EnrichedClick;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Click rollups for SQLite and PostgreSQL, and raw clicks as rows on PostgreSQL (on SQLite,
 * {@link ClickLogStore} keeps raw clicks and calls {@link #writeRollups}). A write is one transaction of additive
 * upserts; rows are written in key order so that two nodes writing the same rows take their
 * locks in the same order and cannot deadlock. Between statement batches the writer yields,
 * because on a one-core machine a long write would hold the event loop off the CPU.
 */
public final class JdbcAnalyticsStore implements AnalyticsStore {
    private static final int BATCH = 1000;
    private static final DateTimeFormatter PARTITION_DAY = DateTimeFormatter.ofPattern("yyyyMMdd");

    private final Dialect dialect;
    private final DataSource writer;
    private final DataSource reader;

    JdbcAnalyticsStore(Database db) {
        this.dialect = db.dialect();
        this.writer = db.writer();
        this.reader = db.reader();
    }

    // ---- writes ----

    @Override
    public void write(ClickAggregate a) {
        sqliteHasClickLog();
        try (Connection c = writer.getConnection()) {
            c.setAutoCommit(false);
            try {
                writeRollups(c, a);
                writeEvents(c, a.events());
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StorageException("write clicks", e);
        }
    }

    /** On SQLite, raw clicks and flushes are {@link ClickLogStore}'s ({@link AnalyticsStore#open} wires it). */
    private void sqliteHasClickLog() {
        if (dialect == Dialect.SQLITE) throw new IllegalStateException("on SQLite, clicks are written and read through ClickLogStore");
    }

    /** The rollups and link counters of {@code a}, inside the caller's transaction. */
    void writeRollups(Connection c, ClickAggregate a) throws SQLException {
        writeCounts(c, "click_minute", "minute", a.minutes());
        writeCounts(c, "click_hour", "hour", a.hours());
        if (dialect == Dialect.SQLITE) {
            DayRollups.addDims(c, a.dims());
            DayRollups.addRegisters(c, a.registers());
        } else {
            writeDims(c, a.dims());
            writeRegisters(c, a.registers());
        }
        writeLinkClicks(c, a.linkClicks());
    }

    private static final Comparator<TimeKey> TIME_ORDER = Comparator.comparingLong(TimeKey::linkId).thenComparingLong(TimeKey::unit);

    private void writeCounts(Connection c, String table, String column, Map<TimeKey, Counts> rows) throws SQLException {
        if (rows.isEmpty()) return;
        String sql = "INSERT INTO " + table + " (link_id, " + column + ", clicks, human) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (link_id, " + column + ") DO UPDATE SET clicks = " + table + ".clicks + excluded.clicks,"
                + " human = " + table + ".human + excluded.human";
        List<Map.Entry<TimeKey, Counts>> sorted = new ArrayList<>(rows.entrySet());
        if (lockOrder()) sorted.sort(Map.Entry.comparingByKey(TIME_ORDER));
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int n = 0;
            for (Map.Entry<TimeKey, Counts> e : sorted) {
                ps.setLong(1, e.getKey().linkId());
                ps.setLong(2, e.getKey().unit());
                ps.setLong(3, e.getValue().clicks);
                ps.setLong(4, e.getValue().human);
                ps.addBatch();
                if (++n % BATCH == 0) flush(ps);
            }
            flush(ps);
        }
    }

    private void writeDims(Connection c, Map<DimKey, long[]> rows) throws SQLException {
        if (rows.isEmpty()) return;
        List<Map.Entry<DimKey, long[]>> sorted = new ArrayList<>(rows.entrySet());
        if (lockOrder()) {
            sorted.sort(Map.Entry.comparingByKey(Comparator.comparingLong(DimKey::linkId).thenComparingLong(DimKey::day)
                    .thenComparing(DimKey::dim).thenComparing(DimKey::value)));
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO click_dim (link_id, day, dim, value, clicks) VALUES (?, ?, ?, ?, ?)"
                        + " ON CONFLICT (link_id, day, dim, value) DO UPDATE SET clicks = click_dim.clicks + excluded.clicks")) {
            int n = 0;
            for (Map.Entry<DimKey, long[]> e : sorted) {
                DimKey k = e.getKey();
                ps.setLong(1, k.linkId());
                ps.setLong(2, k.day());
                ps.setString(3, k.dim());
                ps.setString(4, k.value());
                ps.setLong(5, e.getValue()[0]);
                ps.addBatch();
                if (++n % BATCH == 0) flush(ps);
            }
            flush(ps);
        }
    }

    private void writeRegisters(Connection c, Registers rows) throws SQLException {
        if (rows.isEmpty()) return;
        // In one order: concurrent flushes from several nodes take the row locks alike, never in a cycle.
        int[] sorted = rows.sortedSlots();
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO click_uniques (link_id, day, reg, rank) VALUES (?, ?, ?, ?)"
                        + " ON CONFLICT (link_id, day, reg) DO UPDATE SET rank = " + dialect.greatest
                        + "(click_uniques.rank, excluded.rank)")) {
            int n = 0;
            for (int slot : sorted) {
                ps.setLong(1, rows.linkId(slot));
                ps.setLong(2, rows.day(slot));
                ps.setInt(3, rows.register(slot));
                ps.setInt(4, rows.rank(slot));
                ps.addBatch();
                if (++n % BATCH == 0) flush(ps);
            }
            flush(ps);
        }
    }

    private void writeLinkClicks(Connection c, Map<Long, Long> rows) throws SQLException {
        if (rows.isEmpty()) return;
        List<Map.Entry<Long, Long>> sorted = new ArrayList<>(rows.entrySet());
        if (lockOrder()) sorted.sort(Map.Entry.comparingByKey());
        try (PreparedStatement ps = c.prepareStatement("UPDATE links SET clicks = clicks + ? WHERE id = ?")) {
            int n = 0;
            for (Map.Entry<Long, Long> e : sorted) {
                ps.setLong(1, e.getValue());
                ps.setLong(2, e.getKey());
                ps.addBatch();
                if (++n % BATCH == 0) flush(ps);
            }
            flush(ps);
        }
    }

    private void writeEvents(Connection c, List<EnrichedClick> events) throws SQLException {
        if (events.isEmpty()) return;
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO click_events (link_id, ts, visitor, bot, country, browser, os, device, referrer_host, ip, user_agent, target)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            int n = 0;
            for (EnrichedClick e : events) {
                ps.setLong(1, e.linkId());
                ps.setLong(2, e.epochMillis());
                ps.setLong(3, e.visitor());
                ps.setBoolean(4, e.bot());
                ps.setString(5, e.country());
                ps.setString(6, e.browser());
                ps.setString(7, e.os());
                ps.setString(8, e.device());
                ps.setString(9, e.referrerHost());
                ps.setString(10, e.ip());
                ps.setString(11, e.userAgent());
                ps.setString(12, e.target());
                ps.addBatch();
                if (++n % BATCH == 0) flush(ps);
            }
            flush(ps);
        }
    }

    /**
     * PostgreSQL locks rows: writers from several nodes must take them in one order. SQLite has a
     * single writer and needs no order; sorting there cost a fifth of the batcher's time.
     */
    private boolean lockOrder() {
        return dialect == Dialect.POSTGRES;
    }

    private static void flush(PreparedStatement ps) throws SQLException {
        ps.executeBatch();
        Thread.yield();
    }

    // ---- reads ----

    @Override
    public List<Bucket> series(long linkId, Resolution resolution, long fromUnit, long toUnit) {
        String table = resolution == Resolution.MINUTE ? "click_minute" : "click_hour";
        String column = resolution == Resolution.MINUTE ? "minute" : "hour";
        String sql = "SELECT " + column + ", clicks, human FROM " + table + " WHERE link_id = ? AND " + column + " >= ? AND "
                + column + " < ? ORDER BY " + column;
        List<Bucket> out = new ArrayList<>();
        query(sql, ps -> {
            ps.setLong(1, linkId);
            ps.setLong(2, fromUnit);
            ps.setLong(3, toUnit);
        }, rs -> out.add(new Bucket(rs.getLong(1), rs.getLong(2), rs.getLong(3))));
        return out;
    }

    @Override
    public Map<String, List<ValueCount>> dimensions(long linkId, long fromDay, long toDay) {
        if (dialect == Dialect.SQLITE) {
            Map<String, Map<String, Long>> sum = new HashMap<>();
            query("SELECT data FROM click_dim_days WHERE link_id = ? AND day BETWEEN ? AND ?", days(linkId, fromDay, toDay),
                    rs -> DayRollups.readDims(rs.getBytes(1), sum));
            return DayRollups.ranked(sum);
        }
        // Folded days as blobs, the rest as rows (DayFolds), in one statement: one snapshot, so a
        // fold committing meanwhile is counted once, never twice or not at all.
        Map<String, Map<String, Long>> sum = new HashMap<>();
        query("SELECT data, NULL AS dim, NULL AS value, 0 AS n FROM click_dim_days WHERE link_id = ? AND day BETWEEN ? AND ?"
                        + " UNION ALL SELECT NULL, dim, value, SUM(clicks) FROM click_dim WHERE link_id = ? AND day BETWEEN ? AND ?"
                        + " GROUP BY dim, value",
                twice(linkId, fromDay, toDay), rs -> {
                    byte[] data = rs.getBytes(1);
                    if (data != null) DayRollups.readDims(data, sum);
                    else sum.computeIfAbsent(rs.getString(2), k -> new HashMap<>()).merge(rs.getString(3), rs.getLong(4), Long::sum);
                });
        return DayRollups.ranked(sum);
    }

    @Override
    public byte[] uniqueRegisters(long linkId, long fromDay, long toDay) {
        byte[] registers = new byte[4096];
        if (dialect == Dialect.SQLITE) {
            query("SELECT registers FROM click_uniques_days WHERE link_id = ? AND day BETWEEN ? AND ?", days(linkId, fromDay, toDay),
                    rs -> DayRollups.maxInto(rs.getBytes(1), registers));
            return registers;
        }
        // The rows (today's: up to 4,096 for a busy link) come as one value of (register u16, rank u8)
        // pairs, the blobs' sparse form; one row instead of thousands is most of what is left to save.
        query("SELECT registers FROM click_uniques_days WHERE link_id = ? AND day BETWEEN ? AND ?"
                        + " UNION ALL SELECT string_agg(int2send(reg) || set_byte('\\x00'::bytea, 0, rank), ''::bytea) FROM click_uniques"
                        + " WHERE link_id = ? AND day BETWEEN ? AND ?",
                twice(linkId, fromDay, toDay), rs -> {
                    byte[] data = rs.getBytes(1);
                    if (data != null) DayRollups.maxInto(data, registers);
                });
        return registers;
    }

    @Override
    public List<LinkCount> topLinks(long fromHour, long toHour, int limit) {
        List<LinkCount> out = new ArrayList<>();
        // By link, named by key (host/slug off the default domain): one slug on two domains is two links.
        query("SELECT l.slug, d.host, SUM(h.clicks) AS n FROM click_hour h JOIN links l ON l.id = h.link_id"
                        + " LEFT JOIN domains d ON d.id = l.domain_id"
                        + " WHERE h.hour >= ? AND h.hour < ? AND h.link_id <> 0 GROUP BY l.id, l.slug, d.host ORDER BY n DESC, l.slug LIMIT ?",
                ps -> {
                    ps.setLong(1, fromHour);
                    ps.setLong(2, toHour);
                    ps.setInt(3, limit);
                }, rs -> out.add(new LinkCount(dev.kurz.link.LinkKeys.of(rs.getString(2), rs.getString(1)), rs.getLong(3))));
        return out;
    }

    /** Clicks per link (all links with any) in the hours [fromHour, toHour). */
    Map<Long, Long> linkTotals(long fromHour, long toHour) {
        Map<Long, Long> out = new HashMap<>();
        query("SELECT link_id, SUM(clicks) FROM click_hour WHERE hour >= ? AND hour < ? AND link_id <> 0 GROUP BY link_id",
                ps -> {
                    ps.setLong(1, fromHour);
                    ps.setLong(2, toHour);
                }, rs -> out.put(rs.getLong(1), rs.getLong(2)));
        return out;
    }

    /** The keys (slug, or host/slug off the default domain) of the given links (deleted ones are missing). */
    Map<Long, String> slugs(List<Long> ids) {
        Map<Long, String> out = new HashMap<>();
        if (ids.isEmpty()) return out;
        String marks = String.join(",", java.util.Collections.nCopies(ids.size(), "?"));
        query("SELECT l.id, l.slug, d.host FROM links l LEFT JOIN domains d ON d.id = l.domain_id WHERE l.id IN (" + marks + ")", ps -> {
            for (int i = 0; i < ids.size(); i++) ps.setLong(i + 1, ids.get(i));
        }, rs -> out.put(rs.getLong(1), dev.kurz.link.LinkKeys.of(rs.getString(3), rs.getString(2))));
        return out;
    }

    @Override
    public List<StoredClick> events(long linkId, long fromMillis, long toMillis, Long beforeMillis, Long beforeId, int limit) {
        sqliteHasClickLog();
        String cursor = beforeMillis == null ? "" : " AND (ts < ? OR (ts = ? AND id < ?))";
        List<StoredClick> out = new ArrayList<>();
        query("SELECT id, ts, visitor, bot, country, browser, os, device, referrer_host, ip, user_agent, target FROM click_events"
                        + " WHERE link_id = ? AND ts >= ? AND ts < ?" + cursor + " ORDER BY ts DESC, id DESC LIMIT ?",
                ps -> {
                    int i = 1;
                    ps.setLong(i++, linkId);
                    ps.setLong(i++, fromMillis);
                    ps.setLong(i++, toMillis);
                    if (beforeMillis != null) {
                        ps.setLong(i++, beforeMillis);
                        ps.setLong(i++, beforeMillis);
                        ps.setLong(i++, beforeId);
                    }
                    ps.setInt(i, limit);
                }, rs -> out.add(new StoredClick(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getBoolean(4), rs.getString(5),
                        rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11),
                        rs.getString(12))));
        return out;
    }

    // ---- retention ----

    @Override
    public long purgeBefore(long cutoffMillis) {
        long removed = 0;
        try {
            if (dialect == Dialect.POSTGRES) {
                try (Connection c = Database.unbounded(writer, dialect)) {
                    removed += dropPartitionsBefore(c, cutoffMillis);
                    try (PreparedStatement ps = c.prepareStatement("DELETE FROM click_events_default WHERE ts < ?")) {
                        ps.setLong(1, cutoffMillis);
                        removed += ps.executeUpdate();
                    }
                }
            }
            try (Connection c = Database.unbounded(writer, dialect); PreparedStatement ps = c.prepareStatement("DELETE FROM click_minute WHERE minute < ?")) {
                ps.setLong(1, Math.floorDiv(cutoffMillis, 60_000L));
                removed += ps.executeUpdate();
            }
        } catch (SQLException e) {
            throw new StorageException("purge clicks", e);
        }
        return removed;
    }

    @Override
    public int foldDays(long beforeDay) {
        return dialect == Dialect.POSTGRES ? DayFolds.fold(writer, beforeDay) : 0;
    }

    @Override
    public void ensurePartitions(LocalDate from, int days) {
        if (dialect != Dialect.POSTGRES) return;
        try (Connection c = Database.unbounded(writer, dialect); Statement st = c.createStatement()) {
            for (int i = 0; i < days; i++) {
                LocalDate d = from.plusDays(i);
                long start = d.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
                long end = d.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
                String name = "click_events_" + PARTITION_DAY.format(d);
                try {
                    st.execute("CREATE TABLE IF NOT EXISTS " + name + " PARTITION OF click_events FOR VALUES FROM ("
                            + start + ") TO (" + end + ")");
                } catch (SQLException e) {
                    // Another node created it at the same moment, or rows for that day sit in the
                    // default partition (then they stay there until retention removes them).
                    if (!"42P07".equals(e.getSQLState()) && !"23514".equals(e.getSQLState())) throw e;
                }
            }
        } catch (SQLException e) {
            throw new StorageException("create click partitions", e);
        }
    }

    private long dropPartitionsBefore(Connection c, long cutoffMillis) throws SQLException {
        List<String> old = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT child.relname FROM pg_inherits JOIN pg_class parent ON pg_inherits.inhparent = parent.oid"
                        + " JOIN pg_class child ON pg_inherits.inhrelid = child.oid"
                        + " WHERE parent.relname = 'click_events' AND child.relname ~ '^click_events_[0-9]{8}$'");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String name = rs.getString(1);
                LocalDate day;
                try {
                    day = LocalDate.parse(name.substring("click_events_".length()), PARTITION_DAY);
                } catch (java.time.DateTimeException e) {
                    continue; // not one of ours
                }
                long end = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
                if (end <= cutoffMillis) old.add(name);
            }
        }
        try (Statement st = c.createStatement()) {
            for (String name : old) st.execute("DROP TABLE IF EXISTS " + name);
        }
        return old.size();
    }

    // ---- helpers ----

    private static Binder days(long linkId, long fromDay, long toDay) {
        return ps -> {
            ps.setLong(1, linkId);
            ps.setLong(2, fromDay);
            ps.setLong(3, toDay);
        };
    }

    private static Binder twice(long linkId, long fromDay, long toDay) {
        return ps -> {
            for (int i = 0; i < 6; i += 3) {
                ps.setLong(i + 1, linkId);
                ps.setLong(i + 2, fromDay);
                ps.setLong(i + 3, toDay);
            }
        };
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private interface Row {
        void read(ResultSet rs) throws SQLException;
    }

    private void query(String sql, Binder binder, Row row) {
        try (Connection c = reader.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) row.read(rs);
            }
        } catch (SQLException e) {
            throw new StorageException(sql, e);
        }
    }
}
