package dev.kurz.bench;

import dev.kurz.analytics.Click;
import dev.kurz.analytics.ClickBatcher;
import dev.kurz.analytics.ClickBuffer;
import dev.kurz.analytics.Enricher;
import dev.kurz.analytics.GeoIp;
import dev.kurz.analytics.IpStorage;
import dev.kurz.analytics.StatsStore;
import dev.kurz.analytics.TrustedProxies;
import dev.kurz.analytics.UserAgents;
import dev.kurz.analytics.VisitorHasher;
import dev.kurz.link.Link;
import dev.kurz.link.NewLink;
import dev.kurz.storage.jdbc.Database;
import dev.kurz.storage.jdbc.AnalyticsStore;
import dev.kurz.storage.jdbc.JdbcStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Sustained click ingest: offers clicks to the real buffer → batcher (enrichment, rollups, raw
 * events) → database pipeline at fixed rates, and reports drops. The highest rate without a
 * single drop is then held for the confirmation period.
 *
 * <p>Run: {@code bench/analytics/run.sh ingest sqlite} (or {@code postgres}); see that script.
 * Arguments: {@code --db sqlite|postgres --rates 25000,50000,... --step-seconds 10 --confirm-seconds 60}.
 */
public final class IngestBench {
    public static void main(String[] args) throws Exception {
        String kind = BenchSupport.arg(args, "db", "sqlite");
        int stepSeconds = Integer.parseInt(BenchSupport.arg(args, "step-seconds", "10"));
        int confirmSeconds = Integer.parseInt(BenchSupport.arg(args, "confirm-seconds", "60"));
        List<Integer> rates = new ArrayList<>();
        for (String r : BenchSupport.arg(args, "rates", "25000,50000,75000,100000,125000").split(",")) rates.add(Integer.parseInt(r));

        Random random = new Random(7);
        int linkCount = 10_000;
        try (Database db = BenchSupport.database(kind); GeoIp geo = GeoIp.open(null)) {
            JdbcStore links = new JdbcStore(db);
            long[] ids = new long[linkCount];
            for (int i = 0; i < linkCount; i++) {
                Link l = links.insert(new NewLink("https://example.com/" + i, "b" + i, null, List.of(), null, null, 302, true), Instant.now());
                ids[i] = l.id();
            }
            String[] ips = BenchSupport.ips(50_000, random);
            int[] hot = BenchSupport.zipf(linkCount, 1 << 20, random);
            AnalyticsStore store = AnalyticsStore.open(db, java.time.Duration.ofSeconds(60));
            Enricher enricher = new Enricher(new UserAgents(10_000), geo, TrustedProxies.parse(""),
                    new VisitorHasher(Clock.systemUTC(), VisitorHasher.SaltSource.inMemory(new SecureRandom())), IpStorage.NONE);
            ClickBuffer buffer = new ClickBuffer(262_144);
            ClickBatcher batcher = new ClickBatcher(buffer, enricher, store, Duration.ofSeconds(1), 262_144, s -> {}).start();

            System.out.printf("ingest benchmark: %s, %d links (Zipf), %d IPs, %d user agents, buffer %d, write every 1 s%n",
                    kind, linkCount, ips.length, BenchSupport.USER_AGENTS.length, 262_144);
            System.out.printf("%10s %10s %10s %10s %12s%n", "target/s", "offered", "dropped", "achieved/s", "drain ms");
            long[] counter = {0};
            int best = 0;
            for (int rate : rates) {
                Step s = run(buffer, rate, stepSeconds, ids, hot, ips, random, counter);
                System.out.printf("%10d %10d %10d %10.0f %12d%n", rate, s.offered, s.dropped, s.achieved, s.drainMillis);
                if (s.dropped == 0 && s.achieved >= rate * 0.97) best = rate;
                else break;
            }
            if (best > 0 && confirmSeconds > 0) {
                Step s = run(buffer, best, confirmSeconds, ids, hot, ips, random, counter);
                System.out.printf("CONFIRM %s: %d clicks/s for %d s: offered %d, dropped %d, achieved %.0f/s%n",
                        kind, best, confirmSeconds, s.offered, s.dropped, s.achieved);
            }
            batcher.close(Duration.ofSeconds(60));
            store.flush();
            long stored = store.series(0, StatsStore.Resolution.HOUR, 0, Long.MAX_VALUE).stream().mapToLong(StatsStore.Bucket::clicks).sum();
            System.out.printf("RESULT %s: highest rate with zero drops = %d clicks/s; clicks stored %d = accepted %d: %s%n",
                    kind, best, stored, buffer.accepted(), stored == buffer.accepted() ? "yes" : "NO");
            // PostgreSQL: what the hourly fold after midnight costs for this day's rows (ADR 0019).
            long f0 = System.nanoTime();
            int folded = store.foldDays(java.time.LocalDate.now(java.time.ZoneOffset.UTC).toEpochDay() + 1);
            if (folded > 0) System.out.printf("fold: %d link-days of dimension and register rows into day blobs in %.1f s%n",
                    folded, (System.nanoTime() - f0) / 1e9);
        }
        System.exit(0);
    }

    record Step(long offered, long dropped, double achieved, long drainMillis) {}

    /** Offers clicks at {@code rate} per second for {@code seconds}, paced every millisecond. */
    static Step run(ClickBuffer buffer, int rate, int seconds, long[] ids, int[] hot, String[] ips, Random r, long[] counter) {
        long droppedBefore = buffer.dropped();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        long offered = 0;
        while (System.nanoTime() < end) {
            long due = (long) ((System.nanoTime() - start) / 1e9 * rate);
            while (offered < due) {
                long c = counter[0]++;
                String ip = ips[(int) (c % ips.length)];
                String ua = BenchSupport.USER_AGENTS[(int) ((c * 7) % BenchSupport.USER_AGENTS.length)];
                String ref = BenchSupport.REFERRERS[(int) ((c * 13) % BenchSupport.REFERRERS.length)];
                buffer.offer(new Click(ids[hot[(int) (c & (hot.length - 1))]], "x", System.currentTimeMillis(), () -> ip, ua, ref, "en",
                        false, false));
                offered++;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        long drainStart = System.nanoTime();
        while (buffer.accepted() > 0 && bufferSize(buffer) > 0 && System.nanoTime() - drainStart < TimeUnit.SECONDS.toNanos(60)) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        return new Step(offered, buffer.dropped() - droppedBefore, offered / elapsed,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - drainStart));
    }

    private static int bufferSize(ClickBuffer b) {
        return dev.kurz.analytics.TestAccess.size(b);
    }
}
