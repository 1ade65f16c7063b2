package dev.kurz.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kurz.config.Integrations;
import dev.kurz.problem.ProblemException;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** What keeps webhooks from reaching inside the network, and the retry schedule. */
class WebhookGuardsTest {

    @Test
    void create_refusesPrivateLoopbackAndMetadataReceivers_unlessAllowed() {
        Webhooks strict = new Webhooks(null, Clock.systemUTC(), false); // refused before the store is asked
        for (String url : List.of("http://127.0.0.1:8080/h", "http://localhost/h", "http://169.254.169.254/latest", "http://10.1.2.3/h",
                "http://[::1]/h", "http://2130706433/h", "http://metadata.google.internal/x")) {
            assertThatThrownBy(() -> strict.create(url, List.of("link.created"), null)).as(url)
                    .isInstanceOfSatisfying(ProblemException.class, p -> {
                        assertThat(p.status()).isEqualTo(400);
                        assertThat(p.detail()).contains("KURZ_WEBHOOK_ALLOW_PRIVATE");
                    });
        }
    }

    @Test
    void post_refusesANameThatResolvesToAPrivateAddress_dnsRebinding() {
        Vertx vertx = Vertx.vertx();
        try (var lookups = Executors.newVirtualThreadPerTaskExecutor(); HttpSender sender = new HttpSender(vertx, false, lookups)) {
            // "localhost" stands for any public-looking name whose answer changed to a private address.
            assertThatThrownBy(() -> sender.post(URI.create("http://localhost:9/h"), Map.of(), "{}", Duration.ofSeconds(2)))
                    .isInstanceOf(HttpSender.RefusedException.class).hasMessageContaining("resolves to");
        } finally {
            vertx.close();
        }
    }

    @Test
    void backoff_doublesFromTheBaseToTheCap_withJitterInTheUpperHalf() {
        Integrations c = new Integrations(true, Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofHours(1), Duration.ofHours(24),
                Duration.ofDays(3), Duration.ofSeconds(30), Duration.ofSeconds(1), 8, Duration.ofSeconds(60), null, Duration.ofSeconds(10), 4);
        Dispatcher d = new Dispatcher(null, null, c, Clock.systemUTC(), "n", w -> {});
        for (int i = 0; i < 50; i++) {
            assertThat(d.backoff(1)).isBetween(Duration.ofSeconds(15), Duration.ofSeconds(30));
            assertThat(d.backoff(3)).isBetween(Duration.ofSeconds(60), Duration.ofSeconds(120));
            assertThat(d.backoff(30)).isBetween(Duration.ofMinutes(30), Duration.ofHours(1));
        }
        d.close();
    }
}
