package dev.kurz.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.testing.Api;
import dev.kurz.testing.KurzProcess;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An import survives kill -9: the next start resumes it from its checkpoint and imports no row twice. */
class ImportResumeProcessTest {
    private static final String KEY = "kurz_import_resume_key_0123456789";
    private static final int ROWS = 150_000;

    @TempDir
    Path data;

    @Test
    void kill9_midImport_resumesFromCheckpointWithoutDuplicates() throws Exception {
        Map<String, String> settings = Map.of("KURZ_DATA_DIR", data.toString(), "KURZ_API_KEY", KEY, "KURZ_MANAGEMENT_PORT", "off",
                "KURZ_IMPORT_CHUNK", "500");
        StringBuilder csv = new StringBuilder("url,title\n");
        // No slugs: a row imported twice would show as one link more, under another generated slug.
        for (int i = 0; i < ROWS; i++) csv.append("https://example.com/resume/").append(i).append(",Row ").append(i).append('\n');
        String id;
        try (KurzProcess first = KurzProcess.start(data, settings, "run").awaitReady()) {
            Api api = new Api(first.base(), KEY);
            id = ImportEndToEndTest.submit(api, "format=csv", csv.toString()).getString("id");
            long deadline = System.currentTimeMillis() + 60_000;
            JsonObject job;
            do {
                ImportEndToEndTest.sleep(20);
                job = api.get("/api/v1/imports/" + id).json();
                if (System.currentTimeMillis() > deadline) throw new AssertionError("no progress: " + job);
            } while (job.getLong("processed") < 10_000);
            assertThat(job.getString("status")).isEqualTo("running");
            first.process.destroyForcibly(); // SIGKILL: mid-chunk, no shutdown hook
            assertThat(first.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        try (KurzProcess second = KurzProcess.start(data, settings, "run").awaitReady()) {
            Api api = new Api(second.base(), KEY);
            JsonObject job = ImportEndToEndTest.await(api, id);
            assertThat(job.getString("status")).as(job.encode()).isEqualTo("done");
            assertThat(job.getLong("total")).isEqualTo(ROWS);
            assertThat(job.getLong("imported")).isEqualTo(ROWS);
            assertThat(job.getLong("failed")).isZero();
            String export = api.get("/api/v1/links/export?format=csv").body();
            long lines = export.lines().count() - 1;
            assertThat(lines).isEqualTo(ROWS);
            assertThat(export.lines().skip(1).map(l -> l.substring(0, l.indexOf(','))).distinct().count()).isEqualTo(ROWS);
            assertThat(second.output()).contains("will resume from their checkpoint");
        }
    }
}
