package dev.kurz.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.analytics.ClickAggregate;
import dev.kurz.analytics.EnrichedClick;
import dev.kurz.analytics.StatsStore.Resolution;
import dev.kurz.analytics.StatsStore.StoredClick;
import dev.kurz.link.Link;
import dev.kurz.link.NewLink;
import dev.kurz.storage.jdbc.AnalyticsStore;
import dev.kurz.storage.jdbc.ClickLogStore;
import dev.kurz.storage.jdbc.Database;
import dev.kurz.storage.jdbc.JdbcStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SQLite's click log: what a crash leaves behind, ids across compactions, the upgrade from raw rows. */
class ClickLogStoreTest {
    static final Instant T0 = Instant.parse("2026-11-20T10:15:30Z");

    @TempDir
    Path dir;

    private static ClickAggregate aggregate(Link l, int from, int n) {
        ClickAggregate a = new ClickAggregate();
        for (int i = from; i < from + n; i++) {
            a.add(new EnrichedClick(l.id(), l.slug(), T0.plusMillis(i * 10L).toEpochMilli(), i % 7, i % 3 == 0, false, false,
                    i % 2 == 0 ? "DE" : "US", "Firefox", "Linux", "desktop", "news.example", null, "UA " + (i % 5)));
        }
        return a;
    }

    private long count(String table) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("kurz.db")); ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long clicks(AnalyticsStore s, Link l) {
        return s.series(l.id(), Resolution.HOUR, 0, Long.MAX_VALUE).stream().mapToLong(b -> b.clicks()).sum();
    }

    @Test
    void clicksLoggedBeforeACrash_areFoldedInWhenTheStoreOpensAgain() throws Exception {
        Database db = Database.sqlite(dir.resolve("kurz.db"));
        Link link = new JdbcStore(db).insert(new NewLink("https://e.com/a", "crash", null, List.of(), null, null, 302, true), T0);
        AnalyticsStore first = AnalyticsStore.open(db, Duration.ofHours(1));
        first.write(aggregate(link, 0, 700));
        first.write(aggregate(link, 700, 300));
        assertThat(count("click_log")).isEqualTo(2);
        assertThat(count("click_minute")).isZero(); // nothing folded yet: the process "dies" here

        AnalyticsStore second = AnalyticsStore.open(db, Duration.ofHours(1));
        assertThat(count("click_log")).isZero();
        assertThat(clicks(second, link)).isEqualTo(1000);
        assertThat(new JdbcStore(db).find("crash").orElseThrow().clicks()).isEqualTo(1000);
        assertThat(second.events(link.id(), 0, Long.MAX_VALUE, null, null, 5000)).hasSize(1000);
        db.close();
    }

    /** A smart link's clicks: the served target survives the log (a crash) and the regrouping into packs. */
    @Test
    void smartLinkClicksLoggedBeforeACrash_keepTheirTargets_inTheRollupsAndTheRawClicks() throws Exception {
        Database db = Database.sqlite(dir.resolve("kurz.db"));
        Link link = new JdbcStore(db).insert(new NewLink("https://e.com/a", "smart", null, List.of(), null, null, 302, true), T0);
        String[] served = {"rule:0", "variant:0", "variant:1", null};
        ClickAggregate a = new ClickAggregate();
        for (int i = 0; i < 400; i++) {
            dev.kurz.analytics.Visit v = new dev.kurz.analytics.Visit(i % 9, false, false, "DE", "Firefox", "Linux", "desktop", null, null, "UA");
            a.add(new EnrichedClick(link.id(), "smart", T0.plusMillis(i).toEpochMilli(), false, v, served[i % 4]));
        }
        AnalyticsStore first = AnalyticsStore.open(db, Duration.ofHours(1));
        first.write(a);
        assertThat(count("click_minute")).isZero(); // only in the log when the process "dies"

        AnalyticsStore second = AnalyticsStore.open(db, Duration.ofHours(1)); // replays the log, then folds it into packs
        assertThat(count("click_log")).isZero();
        long day = T0.toEpochMilli() / 86_400_000L;
        assertThat(second.dimensions(link.id(), day, day).get("target")).containsExactlyInAnyOrder(
                new dev.kurz.analytics.StatsStore.ValueCount("rule:0", 100), new dev.kurz.analytics.StatsStore.ValueCount("variant:0", 100),
                new dev.kurz.analytics.StatsStore.ValueCount("variant:1", 100));
        List<StoredClick> raw = second.events(link.id(), 0, Long.MAX_VALUE, null, null, 1000);
        assertThat(raw).hasSize(400);
        for (StoredClick c : raw) assertThat(c.target()).isEqualTo(served[(int) (c.epochMillis() - T0.toEpochMilli()) % 4]);
        db.close();
    }

    @Test
    void compaction_changesNoAnswer_andLeavesTheLogEmpty() throws Exception {
        Database db = Database.sqlite(dir.resolve("kurz.db"));
        JdbcStore links = new JdbcStore(db);
        Link a = links.insert(new NewLink("https://e.com/a", "fold-a", null, List.of(), null, null, 302, true), T0);
        Link b = links.insert(new NewLink("https://e.com/b", "fold-b", null, List.of(), null, null, 302, true), T0);
        AnalyticsStore store = AnalyticsStore.open(db, Duration.ofHours(1));
        store.write(aggregate(a, 0, 2000));
        store.flush();
        store.write(aggregate(b, 0, 3000));
        store.write(aggregate(a, 2000, 500)); // same link and day as the folded clicks: blobs merge
        long day = T0.toEpochMilli() / 86_400_000L;
        var before = List.of(store.series(a.id(), Resolution.MINUTE, 0, Long.MAX_VALUE), store.dimensions(a.id(), day, day),
                store.dimensions(ClickAggregate.ALL_LINKS, day, day), store.topLinks(0, Long.MAX_VALUE, 10));
        byte[] uniquesBefore = store.uniqueRegisters(a.id(), day, day);
        long counterBefore = links.find("fold-a").orElseThrow().clicks() + store.uncountedClicks(a.id());
        store.flush();
        assertThat(count("click_log")).isZero();
        assertThat(List.of(store.series(a.id(), Resolution.MINUTE, 0, Long.MAX_VALUE), store.dimensions(a.id(), day, day),
                store.dimensions(ClickAggregate.ALL_LINKS, day, day), store.topLinks(0, Long.MAX_VALUE, 10))).isEqualTo(before);
        assertThat(store.uniqueRegisters(a.id(), day, day)).isEqualTo(uniquesBefore);
        assertThat(store.uncountedClicks(a.id())).isZero();
        assertThat(links.find("fold-a").orElseThrow().clicks()).isEqualTo(counterBefore).isEqualTo(2500);
        assertThat(store.dimensions(a.id(), day, day).get("country"))
                .containsExactly(new dev.kurz.analytics.StatsStore.ValueCount("DE", 1250), new dev.kurz.analytics.StatsStore.ValueCount("US", 1250));
        db.close();
    }

    @Test
    void fold_runsOnTime_withoutAnotherWrite() throws Exception {
        // Regression: the fold was started only by a write, so a burst's last minute waited for the
        // next burst (and that burst paid for it).
        Database db = Database.sqlite(dir.resolve("kurz.db"));
        JdbcStore links = new JdbcStore(db);
        Link a = links.insert(new NewLink("https://e.com/a", "idle-a", null, List.of(), null, null, 302, true), T0);
        AnalyticsStore store = AnalyticsStore.open(db, Duration.ofMillis(300));
        store.write(aggregate(a, 0, 100));
        assertThat(count("click_log")).isEqualTo(1);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (count("click_log") > 0 && System.nanoTime() < deadline) Thread.sleep(50);
        assertThat(count("click_log")).as("log rows left without a further write").isZero();
        assertThat(store.uncountedClicks(a.id())).isZero();
        assertThat(links.find("idle-a").orElseThrow().clicks()).isEqualTo(100);
        store.close();
        db.close();
    }

    @Test
    void packs_holdOneHourAtMost_soRetentionDropsThemOnTime() throws Exception {
        Database db = Database.sqlite(dir.resolve("kurz.db"));
        Link link = new JdbcStore(db).insert(new NewLink("https://e.com/a", "hours", null, List.of(), null, null, 302, true), T0);
        AnalyticsStore store = AnalyticsStore.open(db, Duration.ofHours(1));
        Instant hour = Instant.parse("2026-11-20T11:00:00Z");
        ClickAggregate a = new ClickAggregate();
        for (int s = -3; s < 3; s++) {
            a.add(new EnrichedClick(link.id(), "hours", hour.plusSeconds(s).toEpochMilli(), 1, false, false, false, "DE", "Firefox",
                    "Linux", "desktop", null, null, "UA"));
        }
        store.write(a);
        store.flush();
        assertThat(count("click_packs")).isEqualTo(2);
        store.purgeBefore(hour.toEpochMilli());
        assertThat(count("click_packs")).isEqualTo(1);
        assertThat(store.events(link.id(), 0, Long.MAX_VALUE, null, null, 10)).extracting(StoredClick::epochMillis)
                .containsExactly(hour.plusSeconds(2).toEpochMilli(), hour.plusSeconds(1).toEpochMilli(), hour.toEpochMilli());
        db.close();
    }

    @Test
    void exportPages_walkEveryClickOnce_acrossPacksAndTheLog() {
        Database db = Database.sqlite(dir.resolve("kurz.db"));
        Link link = new JdbcStore(db).insert(new NewLink("https://e.com/a", "pages", null, List.of(), null, null, 302, true), T0);
        ClickLogStore store = (ClickLogStore) AnalyticsStore.open(db, Duration.ofHours(1));
        store.write(aggregate(link, 0, 5000));
        List<StoredClick> before = store.events(link.id(), 0, Long.MAX_VALUE, null, null, 10);
        store.flush(); // into packs (at most 4096 clicks each)
        store.write(aggregate(link, 5000, 1000)); // stays in the log
        assertThat(store.events(link.id(), 0, before.get(0).epochMillis() + 1, null, null, 10))
                .as("ids survive compaction").isEqualTo(before);

        Set<Long> seen = new HashSet<>();
        List<StoredClick> all = new ArrayList<>();
        Long ts = null;
        Long id = null;
        while (true) {
            List<StoredClick> page = store.events(link.id(), 0, Long.MAX_VALUE, ts, id, 333);
            if (page.isEmpty()) break;
            for (StoredClick c : page) assertThat(seen.add(c.id())).isTrue();
            all.addAll(page);
            ts = page.get(page.size() - 1).epochMillis();
            id = page.get(page.size() - 1).id();
        }
        assertThat(all).hasSize(6000);
        for (int i = 1; i < all.size(); i++) assertThat(all.get(i).epochMillis()).isLessThanOrEqualTo(all.get(i - 1).epochMillis());
        assertThat(all.get(0).epochMillis()).isEqualTo(T0.plusMillis(5999 * 10L).toEpochMilli());
        assertThat(clicks(store, link)).isEqualTo(6000);
        db.close();
    }

    @Test
    void upgrade_packsRawRowsOfTheOldSchema_keepingTheirIds() throws Exception {
        Path file = dir.resolve("old.db");
        String url = "jdbc:sqlite:" + file;
        Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration/sqlite").target("3").load().migrate();
        try (Connection c = DriverManager.getConnection(url)) {
            c.createStatement().execute("INSERT INTO links (id, slug, url, created_at, updated_at, clicks) VALUES (7, 'old', 'https://e.com/', 0, 0, 3)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO click_events (id, link_id, ts, visitor, bot, country, browser, os,"
                    + " device, referrer_host, ip, user_agent) VALUES (?, 7, ?, 42, 0, 'FR', 'Safari', 'iOS', 'mobile', 't.co', NULL, 'UA')")) {
                for (int i = 1; i <= 3; i++) {
                    ps.setLong(1, 2_000_000L + i);
                    ps.setLong(2, T0.toEpochMilli() + i);
                    ps.executeUpdate();
                }
            }
            long day = T0.toEpochMilli() / 86_400_000L;
            c.createStatement().execute("INSERT INTO click_dim (link_id, day, dim, value, clicks) VALUES"
                    + " (7, " + day + ", 'country', 'FR', 2), (7, " + day + ", 'country', 'DE', 1), (7, " + (day - 1) + ", 'country', 'FR', 4)");
            c.createStatement().execute("INSERT INTO click_uniques (link_id, day, reg, rank) VALUES (7, " + day + ", 5, 3), (7, " + day + ", 4095, 9)");
        }
        Database db = Database.sqlite(file);
        AnalyticsStore store = AnalyticsStore.open(db, Duration.ofHours(1));
        List<StoredClick> clicks = store.events(7, 0, Long.MAX_VALUE, null, null, 10);
        assertThat(clicks).extracting(StoredClick::id).containsExactly(2_000_003L, 2_000_002L, 2_000_001L);
        assertThat(clicks.get(0).country()).isEqualTo("FR");
        assertThat(clicks.get(0).referrerHost()).isEqualTo("t.co");
        long day = T0.toEpochMilli() / 86_400_000L;
        assertThat(store.dimensions(7, day - 1, day).get("country"))
                .containsExactly(new dev.kurz.analytics.StatsStore.ValueCount("FR", 6), new dev.kurz.analytics.StatsStore.ValueCount("DE", 1));
        byte[] registers = store.uniqueRegisters(7, day, day);
        assertThat(registers[5]).isEqualTo((byte) 3);
        assertThat(registers[4095]).isEqualTo((byte) 9);
        // New clicks get ids past the old ones.
        Link link = new JdbcStore(db).find("old").orElseThrow();
        store.write(aggregate(link, 0, 1));
        List<StoredClick> after = store.events(7, 0, Long.MAX_VALUE, null, null, 10);
        assertThat(after).hasSize(4);
        assertThat(after.stream().mapToLong(StoredClick::id).max().orElseThrow()).isGreaterThan(2_000_003L);
        db.close();
    }
}
