package dev.kurz.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kurz.link.LinkDraft;
import dev.kurz.link.LinkNotFoundException;
import dev.kurz.link.LinkRules;
import dev.kurz.link.LinkService;
import dev.kurz.link.SlugPermutation;
import dev.kurz.live.ClickSummary;
import dev.kurz.problem.ProblemException;
import dev.kurz.storage.jdbc.Database;
import dev.kurz.storage.jdbc.JdbcAlertStore;
import dev.kurz.storage.jdbc.JdbcStore;
import dev.kurz.testing.MutableClock;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Alert rules on the stream, with a clock moved by hand, against a real SQLite store. */
class AlertsTest {
    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T12:00:00Z"));
    private Database db;
    private JdbcAlertStore store;
    private LinkService links;
    private final List<JsonObject> frames = new CopyOnWriteArrayList<>();
    private Alerts alerts;

    @BeforeEach
    void setUp() {
        db = Database.sqlite(dir.resolve("kurz.db"));
        store = new JdbcAlertStore(db);
        links = new LinkService(new JdbcStore(db), new LinkRules("kurz.test", clock), new SlugPermutation(1), clock, slug -> {});
        links.create(new LinkDraft("https://example.com", "watched", null, null, null, null, null, null));
        alerts = new Alerts(store, links, clock, (slug, frame) -> frames.add(frame));
    }

    @AfterEach
    void tearDown() {
        alerts.close();
        db.close();
    }

    private static ClickSummary clicks(String slug, long n) {
        return new ClickSummary(slug, 0, n, n, Map.of(), Map.of());
    }

    @Test
    void clicksAbove_firesOnce_thenStaysQuietForTheCooldown() {
        AlertRule rule = alerts.create("watched", "clicks_above", 10L, 5L, 30L);
        alerts.reload();
        alerts.record(List.of(clicks("watched", 6)));
        assertThat(frames).isEmpty();
        clock.advance(Duration.ofMinutes(2));
        alerts.record(List.of(clicks("watched", 5), clicks("other", 100)));
        assertThat(frames).hasSize(1);
        assertThat(frames.get(0).getString("message")).contains("more than 10 clicks within 5 min on 'watched' (11)");
        assertThat(frames.get(0).getJsonObject("rule").getLong("id")).isEqualTo(rule.id());
        alerts.record(List.of(clicks("watched", 50)));
        assertThat(frames).hasSize(1); // cooldown
        clock.advance(Duration.ofMinutes(31));
        alerts.record(List.of(clicks("watched", 11)));
        assertThat(frames).hasSize(2);
        assertThat(alerts.events(null, 10)).hasSize(2);
    }

    /**
     * The live hub summarises clicks only while some rule counts them: a rule must be in effect when
     * its creation returns, even while the engine is busy. Before, it took effect whenever the engine
     * got to it, and three clicks right after the 201 went uncounted (the rule never fired:
     * DomainAddressingContract on PostgreSQL, once on a loaded machine).
     */
    @Test
    void aNewRuleCountsClicks_asSoonAsItsCreationReturns_evenWithTheEngineBusy() throws Exception {
        java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Alerts engineHeld = new Alerts(store, links, clock, (slug, frame) -> {
            busy.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            engineHeld.create("watched", "link_broken", null, null, 0L);
            engineHeld.onLinkBroken("watched", "the receiver answered 404"); // fires: the engine waits in notify
            assertThat(busy.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                release.countDown();
            });
            assertThat(engineHeld.countsClicks()).isFalse();
            engineHeld.create("watched", "clicks_above", 2L, 5L, 60L);
            assertThat(engineHeld.countsClicks()).as("in effect when create returns").isTrue();
        } finally {
            release.countDown();
            engineHeld.close();
        }
    }

    @Test
    void clicksAbove_countsOnlyTheWindow() {
        alerts.create(null, "clicks_above", 10L, 2L, 0L);
        alerts.reload();
        alerts.record(List.of(clicks("a", 8)));
        clock.advance(Duration.ofMinutes(4));
        alerts.record(List.of(clicks("b", 8))); // the first 8 are out of the window
        assertThat(frames).isEmpty();
        alerts.record(List.of(clicks("c", 3)));
        assertThat(frames).hasSize(1);
        assertThat(frames.get(0).getString("message")).contains("all links");
    }

    @Test
    void noClicks_firesAfterTheWindowOfSilence_andClicksResetIt() {
        alerts.create("watched", "no_clicks", null, 10L, 60L);
        alerts.reload();
        alerts.check();
        clock.advance(Duration.ofMinutes(9));
        alerts.record(List.of(clicks("watched", 1)));
        clock.advance(Duration.ofMinutes(9));
        alerts.check();
        assertThat(frames).isEmpty();
        clock.advance(Duration.ofMinutes(2));
        alerts.check();
        assertThat(frames).hasSize(1);
        assertThat(frames.get(0).getString("message")).isEqualTo("no clicks on 'watched' for 10 min");
    }

    @Test
    void twoNodesSeeingTheSameSpike_fireOnce() {
        Alerts other = new Alerts(store, links, clock, (slug, frame) -> frames.add(frame));
        try {
            alerts.create("watched", "clicks_above", 1L, 1L, 60L);
            alerts.reload();
            other.reload();
            alerts.record(List.of(clicks("watched", 5)));
            other.record(List.of(clicks("watched", 5)));
            assertThat(frames).hasSize(1);
        } finally {
            other.close();
        }
    }

    @Test
    void create_validates() {
        assertThatThrownBy(() -> alerts.create(null, "sometimes", 1L, 5L, null)).isInstanceOf(ProblemException.class).hasMessageContaining("kind");
        assertThatThrownBy(() -> alerts.create(null, "clicks_above", null, 5L, null)).hasMessageContaining("threshold");
        assertThatThrownBy(() -> alerts.create(null, "no_clicks", null, 0L, null)).hasMessageContaining("windowMinutes");
        assertThatThrownBy(() -> alerts.create("nope", "no_clicks", null, 5L, null)).isInstanceOf(LinkNotFoundException.class);
        assertThat(alerts.list()).isEmpty();
    }

    @Test
    void delete_removesTheRule_unknownIs404() {
        AlertRule r = alerts.create(null, "no_clicks", null, 5L, null);
        alerts.delete(r.id());
        assertThat(alerts.list()).isEmpty();
        assertThatThrownBy(() -> alerts.delete(r.id())).isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.status()).isEqualTo(404));
    }
}
