package dev.kurz.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.testing.Api;
import dev.kurz.testing.TestServers;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kurz as its own process, as {@code ./kurz run} starts it: crash safety and clean shutdown. */
class ProcessEndToEndTest {
    private static final String KEY = "kurz_process_test_key_0123456789";

    @TempDir
    Path data;
    private final List<Process> launched = new ArrayList<>();

    /** Whatever a failing test left running is killed, so no Kurz outlives the suite. */
    @org.junit.jupiter.api.AfterEach
    void killLeftovers() throws InterruptedException {
        for (Process p : launched) {
            if (p.isAlive()) p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private record Running(Process process, Api api, Path log) {}

    private Running launch() throws IOException, InterruptedException {
        int port = TestServers.freePort();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
        if (Runtime.version().feature() >= 23) cmd.add("--sun-misc-unsafe-memory-access=allow");
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.kurz.app.Main", "run"));
        Path log = Files.createTempFile(data, "kurz", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("KURZ_PORT", Integer.toString(port));
        pb.environment().put("KURZ_HOST", "127.0.0.1");
        pb.environment().put("KURZ_DATA_DIR", data.toString());
        pb.environment().put("KURZ_API_KEY", KEY);
        pb.environment().put("KURZ_RATELIMIT_REDIRECT", "off"); // thousands of redirects from one address
        pb.environment().put("KURZ_SHUTDOWN_DRAIN", "0");
        pb.environment().put("KURZ_MANAGEMENT_PORT", "off"); // a fixed default port; several processes may run at once
        Process p = pb.start();
        launched.add(p);
        Api api = new Api("http://127.0.0.1:" + port, KEY);
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (api.get("/health/ready").status() == 200) return new Running(p, api, log);
            } catch (RuntimeException notYet) {
                // still starting
            }
            if (!p.isAlive()) throw new AssertionError("Kurz exited: " + Files.readString(log));
            Thread.sleep(50);
        }
        p.destroyForcibly();
        throw new AssertionError("Kurz did not become ready: " + Files.readString(log));
    }

    @Test
    void kill9_rightAfter201_losesNothing() throws Exception {
        Running k = launch();
        List<String> slugs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            var r = k.api().post("/api/v1/links", new JsonObject().put("url", "https://example.com/durable/" + i));
            assertThat(r.status()).isEqualTo(201);
            slugs.add(r.json().getString("slug"));
        }
        k.process().destroyForcibly(); // SIGKILL: no shutdown hook runs
        assertThat(k.process().waitFor(10, TimeUnit.SECONDS)).isTrue();

        Running again = launch();
        try {
            for (int i = 0; i < slugs.size(); i++) {
                assertThat(again.api().get("/" + slugs.get(i)).header("location")).isEqualTo("https://example.com/durable/" + i);
            }
        } finally {
            again.process().destroyForcibly().waitFor();
        }
    }

    @Test
    void sigterm_with10000ClicksInFlight_countsEveryOne() throws Exception {
        Running k = launch();
        k.api().post("/api/v1/links", new JsonObject().put("url", "https://example.com/t").put("slug", "term"));
        int n = 10_000;
        java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(64);
        List<java.util.concurrent.CompletableFuture<Api.Resp>> all = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            inFlight.acquireUninterruptibly();
            all.add(k.api().getAsync("/term").whenComplete((r, e) -> inFlight.release()));
        }
        for (var f : all) assertThat(f.join().status()).isEqualTo(302);
        k.process().destroy(); // SIGTERM right away: most clicks are still in the buffer or the aggregate
        assertThat(k.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(k.log())).contains("stopped");

        Running again = launch();
        try {
            assertThat(again.api().get("/api/v1/links/term").json().getLong("clicks")).isEqualTo(n);
            assertThat(again.api().get("/api/v1/links/term/stats").json().getJsonObject("totals").getLong("clicks")).isEqualTo(n);
        } finally {
            again.process().destroyForcibly().waitFor();
        }
    }
}
