package dev.kurz.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.analytics.OrphanVisits;
import dev.kurz.analytics.UserAgents;
import dev.kurz.storage.jdbc.Database;
import dev.kurz.storage.jdbc.JdbcOrphanStore;
import dev.kurz.testing.MutableClock;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Orphan visits (GETs of unknown slugs) from both storage engines, against real databases. */
abstract class OrphanStoreContract {
    static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
    static final long DAY = 86_400_000L;
    static final String FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0";
    final MutableClock clock = new MutableClock(T0);
    Database db;
    OrphanVisits orphans;

    abstract Database open();

    @BeforeEach
    void setUp() {
        db = open();
        orphans = new OrphanVisits(new JdbcOrphanStore(db), new UserAgents(100), clock);
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    @Test
    void flush_countsPerDayAndKeepsRawNewestFirst() {
        long t = T0.toEpochMilli();
        orphans.offer(t - DAY, "/old", null, FIREFOX);
        orphans.offer(t, "/gone", "https://news.example.org/a?b", FIREFOX);
        orphans.offer(t + 1, "/wp-login.php", null, "Googlebot/2.1 (+http://www.google.com/bot.html)");
        assertThat(orphans.flush()).isEqualTo(3);
        assertThat(orphans.flush()).isZero();

        assertThat(orphans.totals()).isEqualTo(new OrphanVisits.Totals(3, 1));
        var recent = orphans.recent(t - 2 * DAY, t + DAY, 10);
        assertThat(recent).extracting(OrphanVisits.Stored::path).containsExactly("/wp-login.php", "/gone", "/old");
        assertThat(recent.get(0).bot()).isTrue();
        assertThat(recent.get(1).referrerHost()).isEqualTo("news.example.org");
        assertThat(recent.get(1).userAgent()).isEqualTo(FIREFOX);
        assertThat(orphans.recent(t, t + DAY, 1)).hasSize(1);
    }

    @Test
    void purge_byAgeAndCap_countsStay() {
        long t = T0.toEpochMilli();
        for (int i = 0; i < 5; i++) orphans.offer(t - (10 - i) * DAY, "/p" + i, null, FIREFOX);
        orphans.flush();
        // Kept 7 days: the visits of days -10, -9 and -8 go; the cap then keeps the newest one.
        assertThat(orphans.purge(7)).isEqualTo(3);
        assertThat(new JdbcOrphanStore(db).purge(0, 1)).isEqualTo(1);
        assertThat(orphans.recent(0, t, 10)).extracting(OrphanVisits.Stored::path).containsExactly("/p4");
        assertThat(orphans.totals().visits()).isEqualTo(5);
    }

    @Test
    void offer_fullQueue_dropsAndCounts() {
        for (int i = 0; i < 5000; i++) orphans.offer(T0.toEpochMilli(), "/x", null, null);
        assertThat(orphans.dropped()).isPositive();
        assertThat(orphans.flush()).isLessThan(5000);
    }
}
