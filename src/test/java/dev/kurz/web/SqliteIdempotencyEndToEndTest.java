package dev.kurz.web;

import dev.kurz.testing.MutableClock;
import dev.kurz.testing.Node;
import java.util.Map;

class SqliteIdempotencyEndToEndTest extends IdempotencyContract {
    @Override
    Node start(MutableClock clock) {
        return Node.sqlite(clock);
    }

    @Override
    Map<String, String> database(Node node) {
        return Map.of("KURZ_DATA_DIR", node.dataDir.toString());
    }
}
