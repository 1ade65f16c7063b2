package dev.kurz.web;

import dev.kurz.testing.Node;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SqliteSmartLinksEndToEndTest extends SmartLinksContract {
    private Node node;

    @BeforeAll
    void start() throws Exception {
        node = Node.sqlite(Files.createTempDirectory("kurz-smart"), java.time.Clock.systemUTC(), Map.of("KURZ_TRUSTED_PROXIES", "127.0.0.1"));
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
