package dev.kurz.bench;

import dev.kurz.analytics.ClickAggregate;
import dev.kurz.analytics.EnrichedClick;
import dev.kurz.analytics.Stats;
import dev.kurz.analytics.StatsService;
import dev.kurz.analytics.TestAccess;
import dev.kurz.link.Link;
import dev.kurz.link.NewLink;
import dev.kurz.storage.jdbc.Database;
import dev.kurz.storage.jdbc.AnalyticsStore;
import dev.kurz.storage.jdbc.JdbcStore;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Stats latency at scale: one link with {@code --clicks} (default 10,000,000) clicks spread over
 * {@code --days} (30) days, written through the same rollup path the batcher uses (raw events
 * are left out: stats never read them), then the 30-day hourly stats with all breakdowns,
 * repeated {@code --iterations} times; prints p50/p99/max.
 *
 * <p>Run: {@code bench/analytics/run.sh stats sqlite} (or {@code postgres}).
 */
public final class StatsBench {
    static final String[] COUNTRIES = {"US", "DE", "GB", "FR", "IN", "BR", "JP", "CA", "NL", "ES", "IT", "PL", "SE", "AU", "MX",
        "KR", "TR", "RU", "ID", "CH", "AT", "BE", "DK", "NO", "FI", "IE", "PT", "CZ", "AR", "ZA", "NG", "EG", "VN", "TH", "PH"};
    static final String[] BROWSERS = {"Chrome", "Safari", "Firefox", "Edge", "Samsung Internet", "Opera", "Googlebot", "Slackbot"};
    static final String[] OS = {"Windows", "macOS", "iOS", "Android", "Linux", "ChromeOS"};
    static final String[] DEVICES = {"desktop", "mobile", "tablet", "bot"};

    public static void main(String[] args) throws Exception {
        String kind = BenchSupport.arg(args, "db", "sqlite");
        long clicks = Long.parseLong(BenchSupport.arg(args, "clicks", "10000000"));
        int days = Integer.parseInt(BenchSupport.arg(args, "days", "30"));
        int iterations = Integer.parseInt(BenchSupport.arg(args, "iterations", "200"));
        Instant end = Instant.now().truncatedTo(ChronoUnit.HOURS);
        Instant start = end.minus(days, ChronoUnit.DAYS);
        Random r = new Random(11);
        String[] referrers = new String[300];
        for (int i = 0; i < referrers.length; i++) referrers[i] = i == 0 ? null : "site" + i + ".example";

        try (Database db = BenchSupport.database(kind)) {
            Link link = new JdbcStore(db).insert(new NewLink("https://example.com/big", "big", null, List.of(), null, null, 302, true), start);
            AnalyticsStore store = AnalyticsStore.open(db, java.time.Duration.ofSeconds(60));
            long t0 = System.nanoTime();
            long perDay = clicks / days;
            long written = 0;
            for (int d = 0; d < days; d++) {
                ClickAggregate a = new ClickAggregate();
                long dayStart = start.plus(d, ChronoUnit.DAYS).toEpochMilli();
                long n = d == days - 1 ? clicks - written : perDay;
                for (long i = 0; i < n; i++) {
                    int b = r.nextInt(BROWSERS.length);
                    boolean bot = b >= 6;
                    long ts = dayStart + (long) (r.nextDouble() * 86_400_000L);
                    EnrichedClick c = new EnrichedClick(link.id(), "big", ts, r.nextInt(2_000_000), bot, false, false,
                            COUNTRIES[Math.min(COUNTRIES.length - 1, (int) Math.abs(r.nextGaussian() * 8))], BROWSERS[b],
                            OS[r.nextInt(OS.length)], bot ? "bot" : DEVICES[r.nextInt(3)],
                            referrers[Math.min(referrers.length - 1, (int) Math.abs(r.nextGaussian() * 40))], null, null);
                    TestAccess.add(a, c);
                    if (a.size() >= 200_000) TestAccess.clearEvents(a); // rollups only: stats never read raw rows
                }
                TestAccess.clearEvents(a);
                store.write(a);
                written += n;
            }
            store.flush(); // steady state: everything but the last minute is in the tables
            System.out.printf("stats benchmark: %s, %,d clicks over %d days written as rollups in %.1f s%n",
                    kind, written, days, (System.nanoTime() - t0) / 1e9);
            // Steady state on PostgreSQL: the hourly maintenance has folded the days before today (ADR 0019).
            long f0 = System.nanoTime();
            int folded = store.foldDays(java.time.LocalDate.ofInstant(end, java.time.ZoneOffset.UTC).toEpochDay());
            if (folded > 0) System.out.printf("folded %d link-days into day blobs in %.2f s%n", folded, (System.nanoTime() - f0) / 1e9);

            StatsService service = new StatsService(store, InstantSource.fixed(end), () -> 0, java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
            report("30 days hourly, all breakdowns", service, link.id(), service.query(start.toString(), end.toString(), "hour", "UTC"), iterations);
            report("30 days daily, Europe/Berlin", service, link.id(), service.query(start.toString(), end.toString(), "day", "Europe/Berlin"), iterations);
            report("last 24 h by minute", service, link.id(), service.query(end.minus(1, ChronoUnit.DAYS).toString(), end.toString(), "minute", "UTC"), iterations);
            // Where the first question's time goes: each of its reads alone, one after the other.
            long fromDay = start.getEpochSecond() / 86_400, toDay = (end.getEpochSecond() - 1) / 86_400;
            long fromHour = start.getEpochSecond() / 3600, toHour = end.getEpochSecond() / 3600;
            part("  read: hourly series", iterations, () -> store.series(link.id(), dev.kurz.analytics.StatsStore.Resolution.HOUR, fromHour, toHour));
            part("  read: dimensions", iterations, () -> store.dimensions(link.id(), fromDay, toDay));
            part("  read: unique registers", iterations, () -> store.uniqueRegisters(link.id(), fromDay, toDay));
        }
        System.exit(0);
    }

    static void part(String name, int iterations, Runnable read) {
        for (int i = 0; i < 20; i++) read.run();
        long[] nanos = new long[iterations];
        for (int i = 0; i < iterations; i++) {
            long t = System.nanoTime();
            read.run();
            nanos[i] = System.nanoTime() - t;
        }
        Arrays.sort(nanos);
        System.out.printf("%-40s p50=%.1f ms p99=%.1f ms%n", name, nanos[iterations / 2] / 1e6, nanos[(int) (iterations * 0.99) - 1] / 1e6);
    }

    static void report(String name, StatsService service, long linkId, StatsService.Query q, int iterations) {
        Stats s = null;
        for (int i = 0; i < 20; i++) s = service.stats(linkId, q); // warm-up
        long[] nanos = new long[iterations];
        for (int i = 0; i < iterations; i++) {
            long t = System.nanoTime();
            s = service.stats(linkId, q);
            nanos[i] = System.nanoTime() - t;
        }
        Arrays.sort(nanos);
        System.out.printf("RESULT %-32s clicks=%,d visitors=%,d points=%d p50=%.1f ms p99=%.1f ms max=%.1f ms%n", name, s.totals().clicks(),
                s.totals().uniqueVisitors(), s.series().size(), nanos[iterations / 2] / 1e6, nanos[(int) (iterations * 0.99) - 1] / 1e6, nanos[iterations - 1] / 1e6);
    }
}
