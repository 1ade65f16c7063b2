package dev.kurz.web;

import dev.kurz.testing.MutableClock;
import dev.kurz.testing.Node;
import dev.kurz.testing.TestServers;
import java.util.Map;

class PostgresIdempotencyEndToEndTest extends IdempotencyContract {
    private String url;

    @Override
    Node start(MutableClock clock) {
        url = TestServers.freshPostgresDatabase();
        return Node.clustered(url, null, clock);
    }

    @Override
    Map<String, String> database(Node node) {
        return Map.of("KURZ_DATABASE_URL", url);
    }
}
