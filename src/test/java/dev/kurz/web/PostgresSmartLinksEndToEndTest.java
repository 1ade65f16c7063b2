package dev.kurz.web;

import dev.kurz.testing.Node;
import dev.kurz.testing.TestServers;
import java.util.Map;

class PostgresSmartLinksEndToEndTest extends SmartLinksContract {
    @Override
    Node start() {
        return Node.clustered(TestServers.freshPostgresDatabase(), null, java.time.Clock.systemUTC(), Map.of("KURZ_TRUSTED_PROXIES", "127.0.0.1"));
    }
}
