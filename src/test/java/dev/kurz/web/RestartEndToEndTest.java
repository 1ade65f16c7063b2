package dev.kurz.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.testing.MutableClock;
import dev.kurz.testing.Node;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestartEndToEndTest {
    @TempDir
    Path data;

    @Test
    void restart_keepsLinksAndSlugKey() {
        String generated;
        try (Node first = Node.sqlite(data, MutableClock.systemNow())) {
            first.api.create(Map.of("url", "https://example.com/kept", "slug", "kept"));
            generated = first.api.create(Map.of("url", "https://example.com/gen")).getString("slug");
        }
        try (Node second = Node.sqlite(data, MutableClock.systemNow())) {
            assertThat(second.api.get("/kept").header("location")).isEqualTo("https://example.com/kept");
            assertThat(second.api.get("/" + generated).header("location")).isEqualTo("https://example.com/gen");
            String next = second.api.create(Map.of("url", "https://example.com/next")).getString("slug");
            assertThat(next).isNotEqualTo(generated);
        }
    }
}
