package dev.kurz.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.testing.Api;
import dev.kurz.testing.KurzProcess;
import dev.kurz.testing.TestServers;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kurz run} as a real process: help, a second process on one data directory, a taken port. */
class LifecycleProcessTest {
    private static final String KEY = "kurz_lifecycle_test_key_0123456789";
    private static final Pattern PRINTED_KEY = Pattern.compile("store it now:\\s+(kurz_\\S+)");

    @TempDir
    Path work;

    @Test
    void runHelp_printsUsageAndNeitherBindsNorCreatesData() throws Exception {
        Path data = work.resolve("data");
        int port = TestServers.freePort();
        try (KurzProcess k = KurzProcess.start(work, Map.of("KURZ_DATA_DIR", data.toString(), "KURZ_PORT", Integer.toString(port)),
                "run", "--help")) {
            assertThat(k.exitCode()).isZero();
            assertThat(k.output()).startsWith("Usage: kurz run");
        }
        assertThat(data).doesNotExist();
        try (ServerSocket free = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
            assertThat(free.getLocalPort()).isEqualTo(port);
        }
    }

    @Test
    void secondProcess_onTheSameDataDir_refusesWithOneLine_andAKilledHoldersLockDoesNotBlock() throws Exception {
        Map<String, String> settings = Map.of("KURZ_DATA_DIR", work.resolve("data").toString(), "KURZ_API_KEY", KEY);
        try (KurzProcess first = KurzProcess.start(work, settings, "run").awaitReady();
             KurzProcess second = KurzProcess.start(work, settings, "run")) {
            assertThat(second.exitCode()).isEqualTo(1);
            assertThat(second.output().strip()).startsWith("kurz: another Kurz process (pid " + first.process.pid() + ")")
                    .contains("is using the data directory").doesNotContain("\n");
            assertThat(new Api(first.base(), KEY).get("/health/ready").status()).isEqualTo(200);

            first.process.destroyForcibly(); // kill -9: the lock file stays, the OS lock goes with the process
            first.exitCode();
            assertThat(work.resolve("data").resolve(DataDirLock.FILE)).exists();
            try (KurzProcess third = KurzProcess.start(work, settings, "run").awaitReady()) {
                assertThat(new Api(third.base(), KEY).get("/api/v1/links").status()).isEqualTo(200);
            }
        }
    }

    @Test
    void firstStart_onATakenPort_isOneLineExit1_andTheAdminKeyIsShownAndWorks() throws Exception {
        Map<String, String> settings = Map.of("KURZ_DATA_DIR", work.resolve("data").toString());
        String key;
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             KurzProcess k = KurzProcess.start(work, Map.of("KURZ_DATA_DIR", work.resolve("data").toString(),
                     "KURZ_PORT", Integer.toString(taken.getLocalPort())), "run")) {
            assertThat(k.exitCode()).isEqualTo(1);
            String out = k.output();
            assertThat(out).contains("kurz: port " + taken.getLocalPort() + " is in use (KURZ_PORT)");
            assertThat(out).doesNotContain("\tat ").doesNotContain("Exception");
            Matcher m = PRINTED_KEY.matcher(out);
            assertThat(m.find()).as(out).isTrue();
            key = m.group(1);
        }
        try (KurzProcess again = KurzProcess.start(work, settings, "run").awaitReady()) {
            assertThat(again.output()).doesNotContain("store it now"); // the key exists: none is made twice
            assertThat(new Api(again.base(), key).get("/api/v1/links").status()).isEqualTo(200);
        }
    }
}
