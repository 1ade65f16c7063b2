package dev.kurz.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.analytics.ClickAggregate;
import dev.kurz.analytics.EnrichedClick;
import dev.kurz.analytics.Stats;
import dev.kurz.analytics.StatsService;
import dev.kurz.analytics.StatsStore;
import dev.kurz.analytics.StatsStore.Resolution;
import dev.kurz.analytics.StatsStore.StoredClick;
import dev.kurz.link.Link;
import dev.kurz.link.NewLink;
import dev.kurz.storage.jdbc.Database;
import dev.kurz.storage.jdbc.AnalyticsStore;
import dev.kurz.storage.jdbc.JdbcStore;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Rollup writes and stats reads against both real databases. */
abstract class AnalyticsStoreContract {
    static final Instant T0 = Instant.parse("2026-11-20T10:15:30Z");
    Database db;
    AnalyticsStore store;
    Link link;
    Link other;

    abstract Database open();

    /** How often the SQLite click log is folded into the tables (PostgreSQL ignores it). */
    java.time.Duration compactEvery() {
        return java.time.Duration.ofSeconds(60);
    }

    @BeforeEach
    void setUp() {
        db = open();
        store = AnalyticsStore.open(db, compactEvery());
        JdbcStore links = new JdbcStore(db);
        link = links.insert(new NewLink("https://e.com/a", "stats-a", null, List.of(), null, null, 302, true), T0);
        other = links.insert(new NewLink("https://e.com/b", "stats-b", null, List.of(), null, null, 302, true), T0);
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    static EnrichedClick click(Link l, Instant at, long visitor, boolean bot, String country, String referrer, String browser) {
        return new EnrichedClick(l.id(), l.slug(), at.toEpochMilli(), visitor, bot, false, false, country, browser, "Windows",
                bot ? "bot" : "desktop", referrer, null, "UA");
    }

    private static ClickAggregate aggregate(List<EnrichedClick> clicks) {
        ClickAggregate a = new ClickAggregate();
        for (EnrichedClick c : clicks) addTo(a, c);
        return a;
    }

    /** ClickAggregate.add is package-private to analytics; tests reach it through reflection-free helper below. */
    private static void addTo(ClickAggregate a, EnrichedClick c) {
        dev.kurz.analytics.TestAccess.add(a, c);
    }

    @Test
    void write_thenReadExactTotalsSeriesAndBreakdowns() {
        List<EnrichedClick> clicks = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            boolean bot = i % 10 == 0;
            clicks.add(click(link, T0.plusSeconds(i * 60L), i % 50, bot, i % 3 == 0 ? "DE" : "US", i % 2 == 0 ? "news.example" : null, "Chrome"));
        }
        store.write(aggregate(clicks));
        StatsService service = new StatsService(store, InstantSource.fixed(T0.plusSeconds(86_400)), () -> 0, java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        Stats s = service.stats(link.id(), service.query(T0.minusSeconds(3600).toString(), T0.plusSeconds(86_400).toString(), "hour", "UTC"));
        assertThat(s.totals().clicks()).isEqualTo(300);
        assertThat(s.totals().bots()).isEqualTo(30);
        assertThat(s.totals().humanClicks()).isEqualTo(270);
        assertThat(s.totals().uniqueVisitors()).isEqualTo(45); // visitors 0..49, less the ten that only come as bots
        assertThat(s.series().stream().mapToLong(Stats.Point::clicks).sum()).isEqualTo(300);
        assertThat(s.breakdowns().get("country")).extracting(StatsStore.ValueCount::value).containsExactly("US", "DE");
        assertThat(s.breakdowns().get("country").get(0).clicks()).isEqualTo(200);
        assertThat(s.breakdowns().get("referrer")).extracting(StatsStore.ValueCount::value).containsExactlyInAnyOrder("news.example", "direct");
        assertThat(s.breakdowns().get("device")).extracting(StatsStore.ValueCount::value).containsExactly("desktop", "bot");
        Stats all = service.stats(ClickAggregate.ALL_LINKS, service.query(T0.minusSeconds(3600).toString(), T0.plusSeconds(86_400).toString(), "day", "Europe/Berlin"));
        assertThat(all.totals().clicks()).isEqualTo(300);
        assertThat(all.topLinks()).extracting(StatsStore.LinkCount::slug).containsExactly("stats-a");
        assertThat(all.series().get(0).t().getOffset().getTotalSeconds()).isEqualTo(3600);
    }

    @Test
    void minuteSeries_isDenseAndExact() {
        store.write(aggregate(List.of(click(link, T0, 1, false, "US", null, "Chrome"), click(link, T0.plusSeconds(120), 2, false, "US", null, "Chrome"))));
        List<StatsStore.Bucket> rows = store.series(link.id(), Resolution.MINUTE, 0, Long.MAX_VALUE);
        assertThat(rows).hasSize(2);
        StatsService service = new StatsService(store, InstantSource.fixed(T0), () -> 0, java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        Stats s = service.stats(link.id(), service.query(T0.minusSeconds(60).toString(), T0.plusSeconds(240).toString(), "minute", null));
        assertThat(s.series()).extracting(Stats.Point::clicks).containsExactly(0L, 1L, 0L, 1L, 0L, 0L); // 10:14 … 10:19
    }

    @Test
    void twoNodesWritingTheSameLinkConcurrently_giveTheExactSum() throws Exception {
        try (ExecutorService ex = Executors.newFixedThreadPool(2)) {
            List<Callable<Void>> nodes = new ArrayList<>();
            for (int n = 0; n < 2; n++) {
                int node = n;
                nodes.add(() -> {
                    for (int batch = 0; batch < 20; batch++) {
                        List<EnrichedClick> clicks = new ArrayList<>();
                        for (int i = 0; i < 250; i++) {
                            clicks.add(click(i % 2 == 0 ? link : other, T0.plusSeconds(i), node * 1_000_000L + batch * 1000L + i, false,
                                    "FR", "x.example", "Firefox"));
                        }
                        store.write(aggregate(clicks));
                    }
                    return null;
                });
            }
            for (Future<Void> f : ex.invokeAll(nodes)) f.get();
        }
        long total = store.series(ClickAggregate.ALL_LINKS, Resolution.HOUR, 0, Long.MAX_VALUE).stream().mapToLong(StatsStore.Bucket::clicks).sum();
        assertThat(total).isEqualTo(2 * 20 * 250);
        long a = store.series(link.id(), Resolution.MINUTE, 0, Long.MAX_VALUE).stream().mapToLong(StatsStore.Bucket::clicks).sum();
        assertThat(a).isEqualTo(2 * 20 * 125);
        // The fold of the last writes may still be under way (SQLite): column and pending are read at one moment.
        assertThat(store.atOneMoment(() -> new JdbcStore(db).find("stats-a").orElseThrow().clicks() + store.uncountedClicks(link.id())))
                .isEqualTo(2 * 20 * 125);
    }

    @Test
    void linkCounterPlusPending_neverDropsWhileFoldsRun() throws Exception {
        // Regression: a link read between a fold's commit and its release of the pending clicks
        // showed them in neither place (SQLite; 12 of 150 runs of the test above undercounted).
        JdbcStore links = new JdbcStore(db);
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
        try (ExecutorService ex = Executors.newFixedThreadPool(2)) {
            Future<Void> writer = ex.submit(() -> {
                for (int batch = 0; batch < 200; batch++) {
                    List<EnrichedClick> clicks = new ArrayList<>();
                    for (int i = 0; i < 10; i++) clicks.add(click(link, T0.plusSeconds(i), batch * 100L + i, false, "FR", null, "Firefox"));
                    store.write(aggregate(clicks));
                    written.addAndGet(10);
                }
                done.set(true);
                return null;
            });
            long last = 0;
            while (!done.get()) {
                long before = written.get();
                long seen = store.atOneMoment(() -> links.find("stats-a").orElseThrow().clicks() + store.uncountedClicks(link.id()));
                assertThat(seen).as("counter + pending").isGreaterThanOrEqualTo(Math.max(last, before));
                last = seen;
            }
            writer.get();
        }
    }

    @Test
    void events_pageNewestFirst_andRetentionPurges() {
        List<EnrichedClick> clicks = new ArrayList<>();
        for (int i = 0; i < 25; i++) clicks.add(click(link, T0.plusSeconds(i), i, false, "US", null, "Chrome"));
        store.write(aggregate(clicks));
        List<StoredClick> page = store.events(link.id(), 0, Long.MAX_VALUE, null, null, 10);
        assertThat(page).hasSize(10);
        assertThat(page.get(0).epochMillis()).isEqualTo(T0.plusSeconds(24).toEpochMilli());
        StoredClick last = page.get(9);
        List<StoredClick> next = store.events(link.id(), 0, Long.MAX_VALUE, last.epochMillis(), last.id(), 100);
        assertThat(next).hasSize(15);
        assertThat(next.get(0).epochMillis()).isLessThan(last.epochMillis());
        store.purgeBefore(T0.plusSeconds(10).toEpochMilli());
        assertThat(store.events(link.id(), 0, Long.MAX_VALUE, null, null, 100)).hasSize(15);
        // rollups beyond the minute level stay
        assertThat(store.series(link.id(), Resolution.HOUR, 0, Long.MAX_VALUE).stream().mapToLong(StatsStore.Bucket::clicks).sum()).isEqualTo(25);
    }
}
