package dev.kurz.web;

import dev.kurz.testing.Node;
import dev.kurz.testing.TestServers;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresSmartLinksEndToEndTest extends SmartLinksContract {
    private Node node;

    @BeforeAll
    void start() {
        node = Node.clustered(TestServers.freshPostgresDatabase(), null, java.time.Clock.systemUTC(), Map.of("KURZ_TRUSTED_PROXIES", "127.0.0.1"));
    }

    @AfterAll
    void stop() {
        node.close();
    }

    @Override
    Node node() {
        return node;
    }
}
