package dev.kurz.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.testing.Node;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kurz import} and {@code kurz export} against a running node. */
class TransferCommandsTest {
    @TempDir
    Path dir;

    private record Ran(int code, String out, String err) {}

    private static Ran run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Cli cli = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                o -> { throw new AssertionError("no server here"); });
        int code = cli.execute(args);
        return new Ran(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void importThenExport_withProgressOnStderr() throws Exception {
        try (Node node = Node.sqlite(Clock.systemUTC())) {
            Path csv = dir.resolve("links.csv");
            Files.writeString(csv, "url,slug,title\nhttps://example.com/cli,cli-1,From the shell\nnot a url,cli-2,Bad\n");
            Path failed = dir.resolve("failed.csv");
            Ran imported = run("import", csv.toString(), "--format", "csv", "--url", node.api.base, "--key", Node.ADMIN_KEY,
                    "--failed", failed.toString());
            assertThat(imported.code()).as(imported.err()).isZero();
            assertThat(imported.err()).contains("100%").contains("2/2 rows");
            JsonObject job = new JsonObject(imported.out().strip());
            assertThat(job.getLong("imported")).isEqualTo(1);
            assertThat(Files.readString(failed)).contains("cli-2").contains("url must not contain whitespace");

            Path export = dir.resolve("links.json");
            Ran exported = run("export", "--format", "json", "-o", export.toString(), "--url", node.api.base, "--key", Node.ADMIN_KEY);
            assertThat(exported.code()).as(exported.err()).isZero();
            assertThat(Files.readString(export)).contains("\"slug\":\"cli-1\"").contains("From the shell");
        }
    }

    @Test
    void wrongKey_oneLineAndExit1() {
        try (Node node = Node.sqlite(Clock.systemUTC())) {
            Ran r = run("export", "--url", node.api.base, "--key", "kurz_wrong_key_0000000000000000");
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).startsWith("kurz: 401");
        }
    }
}
