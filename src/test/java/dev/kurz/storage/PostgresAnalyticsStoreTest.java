package dev.kurz.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.analytics.ClickAggregate;
import dev.kurz.analytics.EnrichedClick;
import dev.kurz.analytics.StatsStore.ValueCount;
import dev.kurz.analytics.TestAccess;
import dev.kurz.config.Env;
import dev.kurz.config.KurzConfig;
import dev.kurz.link.Link;
import dev.kurz.link.NewLink;
import dev.kurz.storage.jdbc.AnalyticsStore;
import dev.kurz.storage.jdbc.Database;
import dev.kurz.storage.jdbc.JdbcStore;
import dev.kurz.testing.TestServers;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

class PostgresAnalyticsStoreTest extends AnalyticsStoreContract {
    private String url;

    @Override
    Database open() {
        url = TestServers.freshPostgresDatabase();
        return open(url);
    }

    private static Database open(String url) {
        return Database.open(KurzConfig.from(new Env(Map.of("KURZ_DATABASE_URL", url))));
    }

    @Test
    void retention_dropsWholeDailyPartitions() {
        LocalDate day = LocalDate.parse("2026-11-20");
        store.ensurePartitions(day.minusDays(2), 4);
        store.ensurePartitions(day.minusDays(2), 4); // idempotent
        store.write(dev.kurz.analytics.TestAccess.aggregateOf(List.of(
                click(link, T0.minusSeconds(2 * 86_400), 1, false, "US", null, "Chrome"),
                click(link, T0, 2, false, "US", null, "Chrome"))));
        long removed = store.purgeBefore(T0.minusSeconds(86_400).toEpochMilli());
        assertThat(removed).isGreaterThanOrEqualTo(1);
        assertThat(store.events(link.id(), 0, Long.MAX_VALUE, null, null, 10)).hasSize(1);
    }

    /** Two nodes' flushes of clicks around midnight; node {@code node}, flush {@code batch}. */
    private List<EnrichedClick> flush(int node, int batch) {
        Instant midnight = Instant.parse("2026-11-21T00:00:00Z");
        List<EnrichedClick> clicks = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Instant at = midnight.plusSeconds((batch * 200L + i) * 7 % 7200 - 3600); // 23:00 … 01:00
            String[] countries = {"US", "DE", "FR", "JP", ""};
            clicks.add(click(i % 3 == 0 ? other : link, at, node * 1_000_000L + batch * 37L + i, i % 11 == 0,
                    countries[(node + i) % countries.length], i % 4 == 0 ? null : "r" + (i % 13) + ".example", i % 2 == 0 ? "Chrome" : "Firefox"));
        }
        return clicks;
    }

    private record Answer(Map<String, List<ValueCount>> dims, byte[] registers) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Answer a && dims.equals(a.dims) && Arrays.equals(registers, a.registers);
        }

        @Override
        public int hashCode() {
            return dims.hashCode();
        }

        @Override
        public String toString() {
            return dims + " registers set: " + java.util.stream.IntStream.range(0, registers.length).filter(i -> registers[i] != 0).count();
        }
    }

    private static Answer answer(AnalyticsStore s, long linkId) {
        long day = LocalDate.parse("2026-11-20").toEpochDay();
        return new Answer(s.dimensions(linkId, day, day + 1), s.uniqueRegisters(linkId, day, day + 1));
    }

    @Test
    void foldDays_whileTwoNodesWriteAcrossMidnight_keepsEveryAnswerExact() throws Exception {
        // The reference: the same flushes into a database that never folds (the row-per-value path).
        Database plainDb = open(TestServers.freshPostgresDatabase());
        AnalyticsStore plain = AnalyticsStore.open(plainDb, Duration.ofSeconds(60));
        JdbcStore plainLinks = new JdbcStore(plainDb);
        Link plainLink = plainLinks.insert(new NewLink("https://e.com/a", "stats-a", null, List.of(), null, null, 302, true), T0);
        plainLinks.insert(new NewLink("https://e.com/b", "stats-b", null, List.of(), null, null, 302, true), T0);
        assertThat(plainLink.id()).isEqualTo(link.id());
        for (int node = 0; node < 2; node++) for (int batch = 0; batch < 15; batch++) plain.write(TestAccess.aggregateOf(flush(node, batch)));

        long nextDay = LocalDate.parse("2026-11-22").toEpochDay(); // folds both days, today's too: the worst case
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger folded = new AtomicInteger();
        try (ExecutorService ex = Executors.newFixedThreadPool(4)) {
            List<Callable<Void>> nodes = new ArrayList<>();
            for (int n = 0; n < 2; n++) {
                int node = n;
                nodes.add(() -> {
                    for (int batch = 0; batch < 15; batch++) store.write(TestAccess.aggregateOf(flush(node, batch)));
                    return null;
                });
            }
            // Both nodes' maintenance folding at once, and a reader that must never see a fold half-done.
            List<Future<?>> background = new ArrayList<>();
            for (int n = 0; n < 2; n++) {
                background.add(ex.submit(() -> {
                    while (writing.get()) folded.addAndGet(store.foldDays(nextDay));
                    return null;
                }));
            }
            for (Future<Void> f : ex.invokeAll(nodes)) f.get();
            writing.set(false);
            for (Future<?> f : background) f.get();
        }
        assertThat(folded.get()).isPositive();
        assertThat(answer(store, link.id())).isEqualTo(answer(plain, link.id()));
        assertThat(answer(store, other.id())).isEqualTo(answer(plain, other.id()));
        assertThat(answer(store, ClickAggregate.ALL_LINKS)).isEqualTo(answer(plain, ClickAggregate.ALL_LINKS));

        store.foldDays(nextDay);
        assertThat(answer(store, ClickAggregate.ALL_LINKS)).isEqualTo(answer(plain, ClickAggregate.ALL_LINKS));
        // Folded: one blob per link-day of each kind (3 links × 2 days), no rows left to read.
        assertThat(count("SELECT count(*) FROM click_uniques") + count("SELECT count(*) FROM click_dim")).isZero();
        assertThat(count("SELECT count(*) FROM click_uniques_days")).isEqualTo(6);
        assertThat(count("SELECT count(*) FROM click_dim_days")).isEqualTo(6);

        // A late click for a folded day is a row again, added to the blob on reads and at the next fold.
        List<EnrichedClick> late = List.of(click(link, Instant.parse("2026-11-20T23:59:59Z"), 99_999_999L, false, "NZ", null, "Chrome"));
        store.write(TestAccess.aggregateOf(late));
        plain.write(TestAccess.aggregateOf(late));
        assertThat(answer(store, link.id())).isEqualTo(answer(plain, link.id()));
        assertThat(store.foldDays(nextDay)).isEqualTo(2); // the link and link 0, that day
        assertThat(answer(store, link.id())).isEqualTo(answer(plain, link.id()));
        plainDb.close();
    }

    @Test
    void foldDays_leavesTodaysRows() {
        store.write(TestAccess.aggregateOf(List.of(click(link, T0.minusSeconds(86_400), 1, false, "US", null, "Chrome"),
                click(link, T0, 2, false, "DE", null, "Chrome"))));
        long today = LocalDate.ofInstant(T0, java.time.ZoneOffset.UTC).toEpochDay();
        assertThat(count("SELECT count(*) FROM click_uniques WHERE link_id = " + link.id())).isEqualTo(2); // two visitors' registers
        byte[] rows = new byte[4096];
        long first = count("SELECT min(reg) FROM click_uniques WHERE link_id = " + link.id());
        long second = count("SELECT max(reg) FROM click_uniques WHERE link_id = " + link.id());
        rows[(int) first] = (byte) count("SELECT max(rank) FROM click_uniques WHERE link_id = " + link.id() + " AND reg = " + first);
        rows[(int) second] = (byte) count("SELECT max(rank) FROM click_uniques WHERE link_id = " + link.id() + " AND reg = " + second);
        assertThat(store.uniqueRegisters(link.id(), today - 1, today)).isEqualTo(rows);
        assertThat(store.foldDays(today)).isEqualTo(2); // yesterday: the link and link 0
        assertThat(store.uniqueRegisters(link.id(), today - 1, today)).isEqualTo(rows);
        assertThat(count("SELECT count(*) FROM click_dim WHERE day < " + today)).isZero();
        assertThat(count("SELECT count(*) FROM click_dim WHERE day = " + today)).isPositive();
        assertThat(store.dimensions(link.id(), today - 1, today).get("country"))
                .containsExactly(new ValueCount("DE", 1), new ValueCount("US", 1));
    }

    @Test
    void upgrade_foldsTheRowsOfTheOldSchema() throws Exception {
        String old = TestServers.freshPostgresDatabase();
        URI u = URI.create(old);
        String[] user = u.getUserInfo().split(":", 2);
        String jdbc = "jdbc:postgresql://" + u.getHost() + ":" + u.getPort() + u.getPath();
        Flyway.configure().dataSource(jdbc, user[0], user.length > 1 ? user[1] : null).locations("classpath:db/migration/postgres")
                .target("11").load().migrate();
        long day = LocalDate.ofInstant(T0, java.time.ZoneOffset.UTC).toEpochDay();
        try (Connection c = DriverManager.getConnection(jdbc, user[0], user.length > 1 ? user[1] : null); Statement st = c.createStatement()) {
            st.execute("INSERT INTO click_dim (link_id, day, dim, value, clicks) VALUES"
                    + " (7, " + day + ", 'country', 'FR', 2), (7, " + day + ", 'country', 'DE', 1), (7, " + (day - 1) + ", 'country', 'FR', 4),"
                    + " (7, " + day + ", 'referrer', '', 3)");
            st.execute("INSERT INTO click_uniques (link_id, day, reg, rank) VALUES (7, " + day + ", 5, 3), (7, " + day + ", 4095, 9),"
                    + " (7, " + (day - 1) + ", 5, 4)");
        }
        Database upgraded = open(old);
        AnalyticsStore s = AnalyticsStore.open(upgraded, Duration.ofSeconds(60));
        assertThat(s.dimensions(7, day - 1, day).get("country")).containsExactly(new ValueCount("FR", 6), new ValueCount("DE", 1));
        assertThat(s.dimensions(7, day, day).get("referrer")).containsExactly(new ValueCount("", 3));
        byte[] registers = s.uniqueRegisters(7, day - 1, day);
        assertThat(registers[5]).isEqualTo((byte) 4);
        assertThat(registers[4095]).isEqualTo((byte) 9);
        try (Connection c = DriverManager.getConnection(jdbc, user[0], user.length > 1 ? user[1] : null); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM click_dim) + (SELECT count(*) FROM click_uniques),"
                     + " (SELECT count(*) FROM click_uniques_days)")) {
            rs.next();
            assertThat(rs.getLong(1)).isZero();
            assertThat(rs.getLong(2)).isEqualTo(2);
        }
        upgraded.close();
    }

    private long count(String sql) {
        URI u = URI.create(url);
        String[] user = u.getUserInfo().split(":", 2);
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + u.getHost() + ":" + u.getPort() + u.getPath(), user[0],
                user.length > 1 ? user[1] : null); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }
}
