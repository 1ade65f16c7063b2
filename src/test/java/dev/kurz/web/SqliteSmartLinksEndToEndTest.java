package dev.kurz.web;

import dev.kurz.testing.Node;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

class SqliteSmartLinksEndToEndTest extends SmartLinksContract {
    @Override
    Node start() {
        try {
            return Node.sqlite(Files.createTempDirectory("kurz-smart"), java.time.Clock.systemUTC(), Map.of("KURZ_TRUSTED_PROXIES", "127.0.0.1"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
