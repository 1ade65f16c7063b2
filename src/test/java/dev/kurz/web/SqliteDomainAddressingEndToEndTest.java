package dev.kurz.web;

import dev.kurz.testing.Node;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

class SqliteDomainAddressingEndToEndTest extends DomainAddressingContract {
    @Override
    Node start() {
        try {
            return Node.sqlite(Files.createTempDirectory("kurz-domains"), java.time.Clock.systemUTC());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
