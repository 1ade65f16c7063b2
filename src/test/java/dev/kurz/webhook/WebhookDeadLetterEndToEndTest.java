package dev.kurz.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.testing.Api;
import dev.kurz.testing.Node;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A receiver that stays down: its deliveries become dead letters once the retry window (here 1 s
 * for 24 h) is spent, the endpoint is disabled after failing for the disable period (here 2 s for
 * 3 days) with an audit entry, and once it is back an admin re-enables it and retries the dead
 * letters, which then arrive.
 */
class WebhookDeadLetterEndToEndTest {

    @Test
    void receiverStaysDown_deadLettersThenDisabled_reenabledAndRetried() throws Exception {
        Map<String, String> s = new HashMap<>(WebhookEndToEndTest.FAST);
        s.put("KURZ_WEBHOOK_RETRY_FOR", "1s");
        s.put("KURZ_WEBHOOK_DISABLE_AFTER", "2s");
        try (Receiver r = new Receiver(); Node node = Node.sqlite(Files.createTempDirectory("kurz-dead"), Clock.systemUTC(), s)) {
            Api api = node.api;
            Api.Resp made = api.post("/api/v1/webhooks", new JsonObject().put("url", r.url()).put("events", new JsonArray().add("link.created")));
            r.secret = made.json().getString("secret");
            long id = made.json().getLong("id");
            r.stop();
            api.create(Map.of("url", "https://example.com/dead", "slug", "dead-0"));
            WebhookEndToEndTest.await("a dead letter", 10_000, () -> states(api, id).contains("dead"));
            // More events keep the endpoint failing until it is disabled.
            for (int i = 1; !disabled(api, id); i++) {
                if (i > 60) throw new AssertionError("not disabled: " + api.get("/api/v1/webhooks/" + id).body());
                api.create(Map.of("url", "https://example.com/dead", "slug", "dead-" + i));
                WebhookEndToEndTest.sleep(100);
            }
            JsonObject hook = api.get("/api/v1/webhooks/" + id).json();
            assertThat(hook.getBoolean("enabled")).isFalse();
            assertThat(hook.getString("disabledReason")).startsWith("failing since");
            // The audit entry is written right after the endpoint is disabled, in its own transaction.
            String auditQuery = "/api/v1/audit?target=webhook:" + id + "&action=webhook.disabled";
            WebhookEndToEndTest.await("the webhook.disabled audit entry", 10_000,
                    () -> !api.get(auditQuery).json().getJsonArray("items").isEmpty());
            assertThat(api.get(auditQuery).json().getJsonArray("items")).hasSize(1);

            JsonObject dead = api.get("/api/v1/webhooks/" + id + "/deliveries?limit=1000").json().getJsonArray("items").stream()
                    .map(JsonObject.class::cast).filter(d -> d.getString("state").equals("dead")).reduce((a, b) -> b).orElseThrow();
            assertThat(dead.getInteger("attempts")).isGreaterThan(1);
            assertThat(dead.getJsonArray("history").getJsonObject(0).getString("error")).startsWith("connection failed");
            assertThat(dead.getJsonObject("payload").getString("type")).isEqualTo("link.created");

            r.start();
            // A disabled endpoint takes no new events; re-enabled, it does, and dead letters can be retried.
            api.patch("/api/v1/webhooks/" + id, new JsonObject().put("enabled", true)).json();
            Api.Resp retried = api.post("/api/v1/webhooks/" + id + "/deliveries/" + dead.getLong("id") + "/retry", new JsonObject());
            assertThat(retried.status()).as(retried.toString()).isEqualTo(202);
            assertThat(retried.json().getString("state")).isEqualTo("queued");
            WebhookEndToEndTest.await("the retried dead letter", 10_000,
                    () -> r.acknowledged().stream().anyMatch(x -> x.id().equals(dead.getString("messageId"))));
            assertThat(r.acknowledged()).allMatch(Receiver.Received::verified);
        }
    }

    private static java.util.List<String> states(Api api, long id) {
        return api.get("/api/v1/webhooks/" + id + "/deliveries").json().getJsonArray("items").stream()
                .map(o -> ((JsonObject) o).getString("state")).toList();
    }

    private static boolean disabled(Api api, long id) {
        return !api.get("/api/v1/webhooks/" + id).json().getBoolean("enabled");
    }
}
