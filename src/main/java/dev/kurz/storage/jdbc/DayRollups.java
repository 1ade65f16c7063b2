package dev.kurz.storage.jdbc;

import dev.kurz.analytics.ClickAggregate.DimKey;
import dev.kurz.analytics.Registers;
import dev.kurz.analytics.ClickAggregate.TimeKey;
import dev.kurz.analytics.StatsStore.ValueCount;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * SQLite: a link's daily dimension counts and unique-visitor registers as one blob per link and
 * day (ADR 0013), where a row per value and register cost a compaction hundreds of thousands of
 * upserts for links with many countries, referrers and visitors. A compaction reads, merges and
 * rewrites one blob of each kind per link and day it touched; a 30-day query reads 30 of each
 * ({@link JdbcAnalyticsStore#dimensions}, {@link JdbcAnalyticsStore#uniqueRegisters}).
 *
 * <pre>
 *   dims:      { dim:string values:varint { value:string clicks:varint } }...
 *   registers: 4096 bytes (dense), or pairs { register:u16 rank:u8 }... when fewer than 1365 are set
 *   string = length:varint utf-8
 * </pre>
 */
final class DayRollups {
    static final int REGISTERS = 4096;

    private DayRollups() {}

    // ---- dimension counts ----

    /** Adds {@code rows} (from one aggregate) to the stored blobs, inside the caller's transaction. */
    static void addDims(Connection c, Map<DimKey, long[]> rows) throws SQLException {
        Map<TimeKey, Map<String, Map<String, Long>>> byDay = new HashMap<>();
        rows.forEach((k, n) -> byDay.computeIfAbsent(new TimeKey(k.linkId(), k.day()), d -> new TreeMap<>())
                .computeIfAbsent(k.dim(), d -> new HashMap<>()).merge(k.value(), n[0], Long::sum));
        try (PreparedStatement read = c.prepareStatement("SELECT data FROM click_dim_days WHERE link_id = ? AND day = ?");
             PreparedStatement write = c.prepareStatement("INSERT OR REPLACE INTO click_dim_days (link_id, day, data) VALUES (?, ?, ?)")) {
            int n = 0;
            for (Map.Entry<TimeKey, Map<String, Map<String, Long>>> e : byDay.entrySet()) {
                Map<String, Map<String, Long>> sum = e.getValue();
                read.setLong(1, e.getKey().linkId());
                read.setLong(2, e.getKey().unit());
                try (ResultSet rs = read.executeQuery()) {
                    if (rs.next()) readDims(rs.getBytes(1), sum);
                }
                write.setLong(1, e.getKey().linkId());
                write.setLong(2, e.getKey().unit());
                write.setBytes(3, dims(sum));
                write.addBatch();
                if (++n % 500 == 0) write.executeBatch();
            }
            write.executeBatch();
        }
    }

    /** Highest first, then by value: what {@code StatsStore.dimensions} returns. */
    static Map<String, List<ValueCount>> ranked(Map<String, Map<String, Long>> sum) {
        Map<String, List<ValueCount>> out = new HashMap<>();
        sum.forEach((dim, values) -> {
            List<ValueCount> list = new ArrayList<>(values.size());
            values.forEach((v, n) -> list.add(new ValueCount(v, n)));
            list.sort(Comparator.comparingLong(ValueCount::clicks).reversed().thenComparing(ValueCount::value));
            out.put(dim, list);
        });
        return out;
    }

    static byte[] dims(Map<String, Map<String, Long>> sum) {
        Bytes out = new Bytes();
        sum.forEach((dim, values) -> {
            out.string(dim);
            out.varint(values.size());
            values.forEach((v, n) -> {
                out.string(v);
                out.varint(n);
            });
        });
        return out.toByteArray();
    }

    static void readDims(byte[] data, Map<String, Map<String, Long>> into) {
        ByteBuffer in = ByteBuffer.wrap(data);
        while (in.hasRemaining()) {
            Map<String, Long> values = into.computeIfAbsent(string(in), d -> new HashMap<>());
            long n = varint(in);
            for (long i = 0; i < n; i++) values.merge(string(in), varint(in), Long::sum);
        }
    }

    // ---- unique-visitor registers ----

    /** Max-merges {@code rows} (from one aggregate) into the stored blobs, inside the caller's transaction. */
    static void addRegisters(Connection c, Registers rows) throws SQLException {
        Map<TimeKey, byte[]> byDay = new HashMap<>();
        rows.forEach((link, day, reg, rank) -> {
            byte[] r = byDay.computeIfAbsent(new TimeKey(link, day), d -> new byte[REGISTERS]);
            r[reg] = (byte) Math.max(r[reg], rank);
        });
        try (PreparedStatement read = c.prepareStatement("SELECT registers FROM click_uniques_days WHERE link_id = ? AND day = ?");
             PreparedStatement write = c.prepareStatement(
                     "INSERT OR REPLACE INTO click_uniques_days (link_id, day, registers) VALUES (?, ?, ?)")) {
            int n = 0;
            for (Map.Entry<TimeKey, byte[]> e : byDay.entrySet()) {
                read.setLong(1, e.getKey().linkId());
                read.setLong(2, e.getKey().unit());
                try (ResultSet rs = read.executeQuery()) {
                    if (rs.next()) maxInto(rs.getBytes(1), e.getValue());
                }
                write.setLong(1, e.getKey().linkId());
                write.setLong(2, e.getKey().unit());
                write.setBytes(3, registers(e.getValue()));
                write.addBatch();
                if (++n % 500 == 0) write.executeBatch();
            }
            write.executeBatch();
        }
    }

    static byte[] registers(byte[] dense) {
        int set = 0;
        for (byte b : dense) if (b != 0) set++;
        if (set * 3 >= REGISTERS) return dense.clone();
        ByteBuffer out = ByteBuffer.allocate(set * 3);
        for (int i = 0; i < REGISTERS; i++) {
            if (dense[i] != 0) out.putShort((short) i).put(dense[i]);
        }
        return out.array();
    }

    static void maxInto(byte[] stored, byte[] into) {
        if (stored.length == REGISTERS) {
            for (int i = 0; i < REGISTERS; i++) into[i] = (byte) Math.max(into[i], stored[i]);
            return;
        }
        ByteBuffer in = ByteBuffer.wrap(stored);
        while (in.remaining() >= 3) {
            int reg = in.getShort() & 0xFFFF;
            byte rank = in.get();
            if (reg < REGISTERS) into[reg] = (byte) Math.max(into[reg], rank);
        }
    }

    // ---- encoding ----

    private static final class Bytes extends java.io.ByteArrayOutputStream {
        void varint(long v) {
            while ((v & ~0x7FL) != 0) {
                write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            write((int) v);
        }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            varint(b.length);
            write(b, 0, b.length);
        }
    }

    private static long varint(ByteBuffer in) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int x = in.get() & 0xFF;
            v |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) return v;
        }
        throw new IllegalStateException("rollup blob: bad varint");
    }

    private static String string(ByteBuffer in) {
        int len = (int) varint(in);
        String s = new String(in.array(), in.position(), len, StandardCharsets.UTF_8);
        in.position(in.position() + len);
        return s;
    }
}
