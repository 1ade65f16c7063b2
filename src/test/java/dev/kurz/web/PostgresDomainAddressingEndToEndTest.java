package dev.kurz.web;

import dev.kurz.testing.Node;
import dev.kurz.testing.TestServers;

class PostgresDomainAddressingEndToEndTest extends DomainAddressingContract {
    @Override
    Node start() {
        return Node.clustered(TestServers.freshPostgresDatabase(), null, java.time.Clock.systemUTC());
    }
}
