package dev.kurz.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kurz.testing.Node;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real, unmodified client libraries of other shorteners (from npm, pinned in
 * {@code src/test/node/package-lock.json}) drive a real Kurz node through whole scenarios: each
 * script in {@code src/test/node} asserts as it goes and exits non-zero on the first failure.
 * Needs {@code node} and {@code npm} (the kurz launcher's test tools install them).
 */
class CompatClientsEndToEndTest {
    private static final Path SOURCES = Path.of("src/test/node");
    private static final Path WORK = Path.of("target/compat-clients");
    private Node node;

    @BeforeAll
    static void installClients() throws Exception {
        install();
    }

    /** A node of its own per scenario: each counts the links it made. */
    @BeforeEach
    void start() throws IOException {
        node = Node.sqlite(Files.createTempDirectory("kurz-compat"), InstantSource.system(), Map.of("KURZ_YOURLS_API", "true"));
    }

    @AfterEach
    void stop() {
        if (node != null) node.close();
    }

    @Test
    void shlinkJsSdk_wholeScenario() throws Exception {
        run("shlink.mjs");
    }

    @Test
    void nodeBitly_wholeScenario() throws Exception {
        run("bitly.cjs");
    }

    @Test
    void yourlsApi_wholeScenario() throws Exception {
        run("yourls.cjs");
    }

    /** Copies the scripts and the lock file next to target's node_modules; installs with npm ci when the lock changed. */
    private static void install() throws Exception {
        Files.createDirectories(WORK);
        try (var files = Files.list(SOURCES)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, WORK.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Path lock = WORK.resolve("package-lock.json");
        Path installed = WORK.resolve("node_modules/.kurz-installed-lock.json"); // the lock the last npm ci installed
        if (Files.exists(installed) && Files.mismatch(installed, lock) == -1) return;
        Result r = exec(List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"), Map.of(), 300);
        assertEquals(0, r.exit(), "npm ci failed:\n" + r.output());
        Files.copy(lock, installed, StandardCopyOption.REPLACE_EXISTING);
    }

    private void run(String script) throws Exception {
        Result r = exec(List.of("node", script), Map.of("KURZ_URL", "http://127.0.0.1:" + node.kurz.port(), "KURZ_KEY", Node.ADMIN_KEY), 180);
        System.out.println(r.output());
        assertEquals(0, r.exit(), script + " failed:\n" + r.output());
    }

    private record Result(int exit, String output) {}

    private static Result exec(List<String> command, Map<String, String> env, int seconds) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(WORK.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Path log = Files.createTempFile("kurz-compat", ".log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            return new Result(-1, Files.readString(log, StandardCharsets.UTF_8) + "\n(timed out after " + seconds + " s)");
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        Files.deleteIfExists(log);
        return new Result(p.exitValue(), out);
    }
}
