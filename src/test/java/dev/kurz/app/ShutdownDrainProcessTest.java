package dev.kurz.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.testing.Api;
import dev.kurz.testing.KurzProcess;
import io.vertx.core.json.JsonObject;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM during a steady stream of keep-alive requests: the node keeps answering through the
 * drain, readiness says 503, every answer says {@code Connection: close} (and the connection is
 * closed after it), no request fails before the drain is over, and the process exits 0.
 */
class ShutdownDrainProcessTest {
    private static final String KEY = "kurz_drain_test_key_0123456789abcdef";
    private static final long DRAIN_MS = 3000;

    @TempDir
    Path work;

    /** One answer as a keep-alive client saw it: when its request left, when it arrived. */
    private record Answer(long sentAtNanos, long receivedAtNanos, int status, boolean close) {}

    /**
     * A client that keeps one HTTP/1.1 connection open and sends request after request on it, as
     * connection pools do; it reconnects only when the server said {@code Connection: close}.
     * It stops at its first failure and remembers when that was.
     */
    private static final class KeepAliveClient extends Thread {
        final List<Answer> answers = new ArrayList<>();
        final AtomicLong failedAtNanos = new AtomicLong();
        volatile String failure;
        private final int port;
        private final String[] paths;

        KeepAliveClient(int port, String... paths) {
            this.port = port;
            this.paths = paths;
            setDaemon(true);
        }

        @Override
        public void run() {
            Socket socket = null;
            try {
                for (int i = 0; ; i++) {
                    if (socket == null) {
                        socket = new Socket();
                        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                        socket.setSoTimeout(10_000);
                    }
                    long sent = System.nanoTime();
                    OutputStream out = socket.getOutputStream();
                    out.write(("GET " + paths[i % paths.length] + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    Answer a = read(new BufferedInputStream(socket.getInputStream()), sent);
                    synchronized (answers) {
                        answers.add(a);
                    }
                    if (a.close()) {
                        // The server closes its side after the answer: the next read sees the end.
                        assertThat(socket.getInputStream().read()).isEqualTo(-1);
                        socket.close();
                        socket = null;
                    }
                    Thread.sleep(2);
                }
            } catch (IOException | RuntimeException | AssertionError e) {
                failedAtNanos.set(System.nanoTime());
                failure = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private static Answer read(InputStream in, long sent) throws IOException {
            String status = line(in);
            if (status == null) throw new IOException("connection closed before an answer");
            int length = 0;
            boolean close = false;
            for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
                String lower = h.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) length = Integer.parseInt(lower.substring(15).strip());
                if (lower.startsWith("connection:") && lower.contains("close")) close = true;
            }
            if (in.readNBytes(length).length != length) throw new IOException("body cut short");
            return new Answer(sent, System.nanoTime(), Integer.parseInt(status.split(" ")[1]), close);
        }

        private static String line(InputStream in) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int c = in.read(); c != -1; c = in.read()) {
                if (c == '\n') return b.toString(StandardCharsets.US_ASCII).stripTrailing();
                b.write(c);
            }
            return b.size() == 0 ? null : b.toString(StandardCharsets.US_ASCII);
        }

        List<Answer> answers() {
            synchronized (answers) {
                return List.copyOf(answers);
            }
        }
    }

    @Test
    void sigterm_keepsServingThroughTheDrain_withConnectionClose_andExitsZero() throws Exception {
        KurzProcess k = KurzProcess.start(work, Map.of("KURZ_DATA_DIR", work.resolve("data").toString(), "KURZ_API_KEY", KEY,
                "KURZ_SHUTDOWN_DRAIN", DRAIN_MS + "ms"), "run").awaitReady();
        try (k) {
            Api api = new Api(k.base(), KEY);
            assertThat(api.get("/health/startup").status()).isEqualTo(200);
            assertThat(api.post("/api/v1/links", new JsonObject().put("url", "https://example.com/d").put("slug", "drain")).status())
                    .isEqualTo(201);
            List<KeepAliveClient> clients = new ArrayList<>();
            for (int i = 0; i < 8; i++) clients.add(new KeepAliveClient(k.port, "/drain", "/health/live"));
            clients.forEach(Thread::start);
            Thread.sleep(500);
            assertThat(clients).allSatisfy(c -> assertThat(c.failure).isNull());

            long sigterm = System.nanoTime();
            k.process.destroy(); // SIGTERM
            long notReadyAt = 0;
            int notReady = 0;
            while (System.nanoTime() - sigterm < (DRAIN_MS - 500) * 1_000_000) {
                Api.Resp ready = api.get("/health/ready");
                if (ready.status() == 503) {
                    if (notReadyAt == 0) notReadyAt = System.nanoTime();
                    notReady++;
                    assertThat(ready.json().getString("status")).isEqualTo("DOWN");
                }
                Thread.sleep(50);
            }
            assertThat(k.exitCode()).as(k.output()).isZero();
            for (KeepAliveClient c : clients) c.join(5000);

            assertThat(notReady).as("readiness 503 seen during the drain").isGreaterThan(5);
            long drainNanos = DRAIN_MS * 1_000_000;
            for (KeepAliveClient c : clients) {
                List<Answer> answers = c.answers();
                assertThat(answers).allSatisfy(a -> assertThat(a.status()).isIn(302, 200));
                long afterNotReady = notReadyAt;
                assertThat(answers.stream().filter(a -> a.sentAtNanos() > afterNotReady))
                        .as("answers to requests sent once readiness failed").isNotEmpty().allMatch(Answer::close);
                // A request still in flight at SIGTERM may be answered by the draining node: only
                // answers that arrived before the signal was sent are sure to predate the drain.
                assertThat(answers.stream().filter(a -> a.receivedAtNanos() < sigterm)).isNotEmpty().noneMatch(Answer::close);
                // Failures (connection refused) may only come once the drain is over.
                assertThat(c.failedAtNanos.get() - sigterm).as(c.failure).isGreaterThanOrEqualTo(drainNanos);
            }
            assertThat(k.output()).contains("draining for " + DRAIN_MS + " ms").contains("stopped");
        }
    }
}
