package dev.kurz.storage.jdbc;

import dev.kurz.analytics.ClickAggregate;
import dev.kurz.analytics.ClickAggregate.Counts;
import dev.kurz.analytics.ClickAggregate.DimKey;
import dev.kurz.analytics.ClickAggregate.TimeKey;
import dev.kurz.analytics.EnrichedClick;
import dev.kurz.analytics.Visit;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SQLite's click store: a write-ahead click log, folded into the rollups once a minute.
 *
 * <p>Design (ADR 0013): on SQLite everything shares one process, often one core, with the
 * redirects. Writing every flush straight into the rollups cost one upsert per link, minute, hour
 * and dimension value — 80,000 a second when 10,000 links are clicked — and a raw row per click
 * cost two random index inserts. So a flush is one append instead: the flush's clicks, packed
 * ({@link ClickPack}), as one row of {@code click_log}. That is what survives a kill -9. The flush's
 * rollups are kept in memory, and every {@code compactEvery} a background thread regroups the
 * logged clicks into one pack per link ({@code click_packs}) and, in one transaction, adds the
 * rollups to their tables, inserts the packs and deletes the log rows it covered. Reads add the
 * in-memory rollups to what the tables say, so stats stay exact to the last flush. A crash leaves
 * log rows behind; opening the store folds them in before anything else runs.
 *
 * <p>Invariant: {@code current} and {@code sealed} hold the rollups of exactly the rows in
 * {@code click_log} (a compaction seals {@code current} and folds the rows up to the last one it
 * covered). Writes are serialized (in Kurz only the batcher thread writes); readers take the read
 * lock around "query the tables, add the in-memory rollups", and compaction drops {@code sealed}
 * under the write lock in the same moment it commits, so no reader counts a click twice or misses it.
 *
 * <p>Click ids are {@code seq << 20 | index} of the log row a click was first written in, kept
 * when it moves into a pack, so export cursors stay valid across compactions.
 */
public final class ClickLogStore implements AnalyticsStore {
    private static final Logger log = LoggerFactory.getLogger(ClickLogStore.class);
    static final int ID_BITS = 20;
    static final int PACK_MAX = 4096;
    static final String INSERT_PACK = "INSERT INTO click_packs (link_id, ts_min, ts_max, clicks, data) VALUES (?, ?, ?, ?, ?)";
    private static final long HOUR_MILLIS = 3_600_000L;

    private final DataSource writer;
    private final DataSource reader;
    private final JdbcAnalyticsStore tables;
    private final long compactEveryNanos;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final ScheduledExecutorService compactor = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("kurz-click-compactor").daemon(true).factory());
    private final AtomicBoolean compacting = new AtomicBoolean();
    private final Object compactions = new Object();
    // Guarded by lock: rollups of the log rows after sealedUpTo, and of those up to it not folded yet.
    private ClickAggregate current = new ClickAggregate();
    private ClickAggregate sealed;
    private long lastSeq;
    private long sealedUpTo;
    private volatile long lastCompact = System.nanoTime();
    /** Raw clicks before this are past retention: reads skip them though their pack may linger. */
    private volatile long purgedBefore = Long.MIN_VALUE;

    ClickLogStore(Database db, JdbcAnalyticsStore tables, Duration compactEvery) {
        if (db.dialect() != Dialect.SQLITE) throw new IllegalArgumentException("the click log is for SQLite");
        this.writer = db.writer();
        this.reader = db.reader();
        this.tables = tables;
        this.compactEveryNanos = compactEvery.toNanos();
        recover();
        if (compactEveryNanos > 0) {
            // Also when no write comes: what the last minute logged is folded on time, not by the
            // next burst of clicks (which then paid for the fold of the one before).
            long every = Math.max(compactEveryNanos / 4, 250_000_000L);
            compactor.scheduleWithFixedDelay(() -> {
                if (System.nanoTime() - lastCompact >= compactEveryNanos) startFold();
            }, every, every, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    // ---- writes (the batcher thread) ----

    @Override
    public synchronized void write(ClickAggregate a) {
        if (a.isEmpty()) return;
        List<EnrichedClick> events = a.events();
        long seq = 0;
        try (Connection c = writer.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO click_log (data) VALUES (?)");
                 PreparedStatement last = c.prepareStatement("SELECT last_insert_rowid()")) {
                for (int from = 0; from < events.size(); from += 1 << ID_BITS) {
                    ClickPack.Writer chunk = new ClickPack.Writer();
                    int to = Math.min(events.size(), from + (1 << ID_BITS));
                    for (int i = from; i < to; i++) {
                        EnrichedClick e = events.get(i);
                        chunk.add(i - from, e.linkId(), e.epochMillis(), e.counted(), e.visit(), e.target());
                    }
                    ps.setBytes(1, chunk.toBytes());
                    ps.executeUpdate();
                }
                try (ResultSet rs = last.executeQuery()) {
                    rs.next();
                    seq = rs.getLong(1);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StorageException("log clicks", e);
        }
        lock.writeLock().lock();
        try {
            current.addRollups(a);
            lastSeq = seq;
        } finally {
            lock.writeLock().unlock();
        }
        if (System.nanoTime() - lastCompact >= compactEveryNanos) startFold();
    }

    /** Folds the log on the compactor thread unless a fold is under way. */
    private void startFold() {
        if (compacting.compareAndSet(false, true)) {
            lastCompact = System.nanoTime();
            try {
                compactor.execute(() -> {
                    try {
                        compact();
                    } catch (RuntimeException e) {
                        // The clicks are safe in the log; the next interval tries again.
                        log.warn("folding the click log into the rollups failed; will retry: {}", e.toString());
                    } finally {
                        compacting.set(false);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // Closing: the log row is committed, so this write succeeded; the next start folds it.
                compacting.set(false);
            }
        }
    }

    /**
     * Folds the log rows written so far into the rollups and packs. The CPU work (decoding the log,
     * building packs) runs before the write transaction, so the batcher's appends wait only for
     * the short transaction itself.
     */
    void compact() {
        synchronized (compactions) {
            long start = System.nanoTime();
            ClickAggregate batch;
            long upTo;
            lock.writeLock().lock();
            try {
                if (sealed == null) {
                    if (current.isEmpty()) return;
                    sealed = current;
                    sealedUpTo = lastSeq;
                    current = new ClickAggregate();
                }
                batch = sealed;
                upTo = sealedUpTo;
            } finally {
                lock.writeLock().unlock();
            }
            List<Map.Entry<Long, ClickPack.Writer>> packs;
            batch.minutes(); // expands the rollup rows before the write transaction begins
            try (Connection c = reader.getConnection()) {
                packs = pack(c, upTo);
            } catch (SQLException e) {
                throw new StorageException("read click log", e);
            }
            List<byte[]> blobs = new ArrayList<>(packs.size());
            for (Map.Entry<Long, ClickPack.Writer> w : packs) blobs.add(w.getValue().toBytes());
            long packed = System.nanoTime();
            try (Connection c = writer.getConnection()) {
                c.setAutoCommit(false);
                try {
                    try (PreparedStatement insert = c.prepareStatement(INSERT_PACK)) {
                        for (int i = 0; i < packs.size(); i++) {
                            insertPack(insert, packs.get(i).getKey(), packs.get(i).getValue(), blobs.get(i));
                            if ((i + 1) % 500 == 0) insert.executeBatch();
                        }
                        insert.executeBatch();
                    }
                    tables.writeRollups(c, batch);
                    try (PreparedStatement ps = c.prepareStatement("DELETE FROM click_log WHERE seq <= ?")) {
                        ps.setLong(1, upTo);
                        ps.executeUpdate();
                    }
                    lock.writeLock().lock();
                    try {
                        c.commit();
                        sealed = null;
                    } finally {
                        lock.writeLock().unlock();
                    }
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                }
            } catch (SQLException e) {
                throw new StorageException("compact click log", e);
            }
            long end = System.nanoTime();
            long ms = (end - start) / 1_000_000;
            String how = "click log: folded {} clicks into {} packs and the rollups in {} ms ({} ms packing, {} ms writing)";
            Object[] args = {batch.rollupClicks(), packs.size(), ms, (packed - start) / 1_000_000, (end - packed) / 1_000_000};
            if (ms > 1000) log.info(how, args);
            else log.debug(how, args);
        }
    }

    /** Regroups the logged clicks up to {@code upTo} into packs of one link (full packs go out as they fill). */
    private static List<Map.Entry<Long, ClickPack.Writer>> pack(Connection c, long upTo) throws SQLException {
        LongMap<ClickPack.Writer> open = new LongMap<>();
        Map<Visit, Visit> visits = new HashMap<>();
        List<Map.Entry<Long, ClickPack.Writer>> full = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT seq, data FROM click_log WHERE seq <= ? ORDER BY seq")) {
            ps.setLong(1, upTo);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long base = rs.getLong(1) << ID_BITS;
                    // Decoding makes new visits per log row; interning keeps one per visitor in a pack.
                    ClickPack.read(rs.getBytes(2), v -> visits.computeIfAbsent(v, k -> k), (id, link, ts, counted, visit, target) -> {
                        ClickPack.Writer w = open.get(link);
                        // A pack holds one link's clicks of one UTC hour at most, so retention drops it on time.
                        if (w == null || w.count() == PACK_MAX || !sameHour(w.minTs, ts)) {
                            if (w != null) full.add(Map.entry(link, w));
                            w = new ClickPack.Writer();
                            open.put(link, w);
                        }
                        w.add(base + id, link, ts, false, visit, target);
                    });
                }
            }
        }
        open.forEach((link, w) -> full.add(Map.entry(link, w)));
        return full;
    }

    static boolean sameHour(long a, long b) {
        return Math.floorDiv(a, HOUR_MILLIS) == Math.floorDiv(b, HOUR_MILLIS);
    }

    /** Every logged click in log order, ids made absolute; returns the last seq read (0 for none). */
    private static long readLog(Connection c, Consumer<ClickPack.Entry> sink) throws SQLException {
        long last = 0;
        try (PreparedStatement ps = c.prepareStatement("SELECT seq, data FROM click_log ORDER BY seq");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                long base = rs.getLong(1) << ID_BITS;
                ClickPack.read(rs.getBytes(2), e -> sink.accept(new ClickPack.Entry(base + e.id(), e.linkId(), e.epochMillis(),
                        e.counted(), e.visit(), e.target())));
                last = rs.getLong(1);
            }
        }
        return last;
    }

    static void insertPack(PreparedStatement insert, long link, ClickPack.Writer w) throws SQLException {
        insertPack(insert, link, w, w.toBytes());
    }

    private static void insertPack(PreparedStatement insert, long link, ClickPack.Writer w, byte[] data) throws SQLException {
        insert.setLong(1, link);
        insert.setLong(2, w.minTs);
        insert.setLong(3, w.maxTs);
        insert.setInt(4, w.count());
        insert.setBytes(5, data);
        insert.addBatch();
    }

    /** At start: rebuilds the rollups of what a crash (or a stop) left in the log, and folds them in. */
    private void recover() {
        ClickAggregate a = new ClickAggregate();
        long last;
        try (Connection c = writer.getConnection()) {
            last = readLog(c, e -> {
                a.add(e.enriched());
                if (a.events().size() >= 65_536) a.events().clear(); // only the rollups are needed here
            });
        } catch (SQLException e) {
            throw new StorageException("read click log", e);
        }
        if (a.isEmpty()) return;
        log.info("click log: folding {} clicks written before the last stop into the rollups", a.size());
        current.addRollups(a);
        lastSeq = last;
        compact();
    }

    /** Folds everything logged so far into the tables (waits for a compaction under way). */
    @Override
    public void flush() {
        compact(); // finishes a sealed generation left by a failed attempt, if any
        compact();
    }

    /** Waits for a compaction under way; what is still in the log is folded in at the next start. */
    @Override
    public void close() {
        compactor.shutdown();
        try {
            if (!compactor.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)) log.warn("click log compaction still running at exit");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- reads: the tables plus the in-memory rollups ----

    /** Under the read lock: a fold commits under the write lock, so it cannot land inside {@code read}. */
    @Override
    public <T> T atOneMoment(java.util.function.Supplier<T> read) {
        lock.readLock().lock();
        try {
            return read.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public long uncountedClicks(long linkId) {
        return read(parts -> parts.stream().mapToLong(p -> p.linkClicks(linkId)).sum());
    }

    @Override
    public List<Bucket> series(long linkId, Resolution resolution, long fromUnit, long toUnit) {
        return read(parts -> {
            Map<Long, long[]> sum = new TreeMap<>();
            for (Bucket b : tables.series(linkId, resolution, fromUnit, toUnit)) sum.put(b.unit(), new long[] {b.clicks(), b.human()});
            for (ClickAggregate p : parts) {
                Map<TimeKey, Counts> mine = resolution == Resolution.MINUTE ? p.minutes() : p.hours();
                mine.forEach((k, n) -> {
                    if (k.linkId() != linkId || k.unit() < fromUnit || k.unit() >= toUnit) return;
                    long[] s = sum.computeIfAbsent(k.unit(), u -> new long[2]);
                    s[0] += n.clicks;
                    s[1] += n.human;
                });
            }
            List<Bucket> out = new ArrayList<>(sum.size());
            sum.forEach((unit, s) -> out.add(new Bucket(unit, s[0], s[1])));
            return out;
        });
    }

    @Override
    public Map<String, List<ValueCount>> dimensions(long linkId, long fromDay, long toDay) {
        return read(parts -> {
            Map<String, Map<String, Long>> sum = new HashMap<>();
            tables.dimensions(linkId, fromDay, toDay).forEach((dim, values) -> {
                Map<String, Long> m = sum.computeIfAbsent(dim, d -> new HashMap<>());
                values.forEach(v -> m.merge(v.value(), v.clicks(), Long::sum));
            });
            for (ClickAggregate p : parts) {
                for (Map.Entry<DimKey, long[]> e : p.dims().entrySet()) {
                    DimKey k = e.getKey();
                    if (k.linkId() != linkId || k.day() < fromDay || k.day() > toDay) continue;
                    sum.computeIfAbsent(k.dim(), d -> new HashMap<>()).merge(k.value(), e.getValue()[0], Long::sum);
                }
            }
            return DayRollups.ranked(sum);
        });
    }

    @Override
    public byte[] uniqueRegisters(long linkId, long fromDay, long toDay) {
        return read(parts -> {
            byte[] registers = tables.uniqueRegisters(linkId, fromDay, toDay);
            for (ClickAggregate p : parts) {
                p.registers().forEach((link, day, reg, rank) -> {
                    if (link == linkId && day >= fromDay && day <= toDay) registers[reg] = (byte) Math.max(registers[reg], rank);
                });
            }
            return registers;
        });
    }

    @Override
    public List<LinkCount> topLinks(long fromHour, long toHour, int limit) {
        return read(parts -> {
            Map<Long, Long> mine = new HashMap<>();
            for (ClickAggregate p : parts) {
                p.hours().forEach((k, n) -> {
                    if (k.linkId() != ClickAggregate.ALL_LINKS && k.unit() >= fromHour && k.unit() < toHour) {
                        mine.merge(k.linkId(), n.clicks, Long::sum);
                    }
                });
            }
            if (mine.isEmpty()) return tables.topLinks(fromHour, toHour, limit);
            // Pending clicks can reorder the ranking anywhere: add them to every link's total.
            Map<Long, Long> totals = tables.linkTotals(fromHour, toHour);
            mine.forEach((link, n) -> totals.merge(link, n, Long::sum));
            List<Map.Entry<Long, Long>> ranked = new ArrayList<>(totals.entrySet());
            ranked.sort(Map.Entry.<Long, Long>comparingByValue().reversed());
            // Deleted links have no slug: resolve a few more than asked for at a time, dropping them.
            List<LinkCount> out = new ArrayList<>();
            int step = limit * 2 + 16;
            for (int from = 0; from < ranked.size() && out.size() < limit; from += step) {
                List<Map.Entry<Long, Long>> part = ranked.subList(from, Math.min(ranked.size(), from + step));
                Map<Long, String> slugs = tables.slugs(part.stream().map(Map.Entry::getKey).toList());
                for (Map.Entry<Long, Long> e : part) {
                    String slug = slugs.get(e.getKey());
                    if (slug != null) out.add(new LinkCount(slug, e.getValue()));
                }
            }
            out.sort(Comparator.comparingLong(LinkCount::clicks).reversed().thenComparing(LinkCount::slug));
            return out.size() > limit ? new ArrayList<>(out.subList(0, limit)) : out;
        });
    }

    private static final Comparator<StoredClick> NEWEST_FIRST =
            Comparator.comparingLong(StoredClick::epochMillis).thenComparingLong(StoredClick::id).reversed();

    @Override
    public List<StoredClick> events(long linkId, long fromMillis, long toMillis, Long beforeMillis, Long beforeId, int limit) {
        // One read transaction: SQLite's WAL snapshot shows the log and the packs as one moment,
        // so no fold can move clicks between the two reads, and no fold waits for this export.
        try (Connection c = reader.getConnection()) {
            c.setAutoCommit(false);
            List<StoredClick> out = new ArrayList<>();
            Consumer<ClickPack.Entry> take = e -> {
                long ts = e.epochMillis();
                if (e.linkId() != linkId || ts < fromMillis || ts >= toMillis || ts < purgedBefore) return;
                if (beforeMillis != null && (ts > beforeMillis || (ts == beforeMillis && e.id() >= beforeId))) return;
                out.add(e.stored());
            };
            readLog(c, take);
            long upTo = beforeMillis == null ? toMillis : Math.min(toMillis, beforeMillis + 1);
            try (PreparedStatement ps = c.prepareStatement("SELECT ts_max, data FROM click_packs"
                    + " WHERE link_id = ? AND ts_max >= ? AND ts_min < ? ORDER BY ts_max DESC")) {
                ps.setLong(1, linkId);
                ps.setLong(2, fromMillis);
                ps.setLong(3, upTo);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        // Packs come newest first: once a page is full of clicks newer than this pack, stop.
                        if (out.size() >= limit) {
                            out.sort(NEWEST_FIRST);
                            out.subList(limit, out.size()).clear();
                            if (out.get(limit - 1).epochMillis() > rs.getLong(1)) break;
                        }
                        ClickPack.read(rs.getBytes(2), take);
                    }
                }
            }
            c.rollback();
            out.sort(NEWEST_FIRST);
            return out.size() > limit ? new ArrayList<>(out.subList(0, limit)) : out;
        } catch (SQLException e) {
            throw new StorageException("read clicks", e);
        }
    }

    @Override
    public long purgeBefore(long cutoffMillis) {
        purgedBefore = Math.max(purgedBefore, cutoffMillis);
        long removed = 0;
        try {
            // Whole packs whose newest click is past retention (a pack spans about a compaction
            // interval), in chunks, each on its own connection: SQLite has one writer, and clicks and
            // link edits must not wait behind the whole purge.
            int n;
            do {
                try (Connection c = writer.getConnection(); PreparedStatement ps = c.prepareStatement(
                        "DELETE FROM click_packs WHERE id IN (SELECT id FROM click_packs WHERE ts_max < ? LIMIT 500)")) {
                    ps.setLong(1, cutoffMillis);
                    n = ps.executeUpdate();
                }
                removed += n;
                Thread.yield();
            } while (n > 0);
        } catch (SQLException e) {
            throw new StorageException("purge clicks", e);
        }
        return removed + tables.purgeBefore(cutoffMillis);
    }

    /** Runs {@code query} over the in-memory rollups (newest generation, then the sealed one, if any). */
    private <T> T read(java.util.function.Function<List<ClickAggregate>, T> query) {
        lock.readLock().lock();
        try {
            return query.apply(sealed == null ? List.of(current) : List.of(current, sealed));
        } finally {
            lock.readLock().unlock();
        }
    }
}
