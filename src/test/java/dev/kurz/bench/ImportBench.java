package dev.kurz.bench;

import dev.kurz.app.Kurz;
import dev.kurz.config.Env;
import dev.kurz.config.KurzConfig;
import dev.kurz.testing.TestServers;
import io.vertx.core.json.JsonObject;
import java.io.BufferedWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A large CSV import through the real HTTP API of a real node, with redirects served meanwhile:
 * rows per second from the job's start to its end, and the redirects' rate and latency during the
 * import against the same load before it.
 *
 * <p>Run: {@code bench/imports/run.sh sqlite|postgres [--rows 1000000] [--redirect-threads 2]}.
 * The file: half the rows with a custom slug, a third with two tags, every row with a creation
 * time and a click total.
 */
public final class ImportBench {
    private static final String KEY = "kurz_bench_import_key_0123456789abc";

    public static void main(String[] args) throws Exception {
        String kind = BenchSupport.arg(args, "db", "sqlite");
        int rows = Integer.parseInt(BenchSupport.arg(args, "rows", "1000000"));
        int threads = Integer.parseInt(BenchSupport.arg(args, "redirect-threads", "2"));
        int rate = Integer.parseInt(BenchSupport.arg(args, "redirect-rate", "2000"));
        Path dir = Files.createTempDirectory("kurz-import-bench");
        Path file = dir.resolve("links.csv");
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            w.write("url,slug,title,tags,createdAt,clicks\n");
            Instant t0 = Instant.parse("2020-01-01T00:00:00Z");
            for (int i = 0; i < rows; i++) {
                w.write("https://www.example.com/articles/" + i + "?ref=import");
                w.write(',');
                if (i % 2 == 0) w.write("imp-" + i);
                w.write(",Article number " + i + ",");
                if (i % 3 == 0) w.write("\"news,batch-" + (i % 100) + "\"");
                w.write(',');
                w.write(t0.plusSeconds(i * 60L).toString());
                w.write(',');
                w.write(Integer.toString(i % 1000));
                w.write('\n');
            }
        }
        Map<String, String> env = new HashMap<>();
        env.put("KURZ_PORT", "0");
        env.put("KURZ_HOST", "127.0.0.1");
        env.put("KURZ_BASE_URL", "http://kurz.bench");
        env.put("KURZ_API_KEY", KEY);
        env.put("KURZ_MANAGEMENT_PORT", "off");
        env.put("KURZ_RATELIMIT_API", "off");
        env.put("KURZ_RATELIMIT_API_IP", "off");
        env.put("KURZ_RATELIMIT_REDIRECT", "off");
        env.put("KURZ_IMPORT_MAX_BYTES", Long.toString(Files.size(file) + 1));
        if (kind.equals("postgres")) env.put("KURZ_DATABASE_URL", TestServers.freshPostgresDatabase());
        else env.put("KURZ_DATA_DIR", dir.resolve("data").toString());
        System.out.printf("db %s, %,d rows, %,d bytes, %d redirect threads at %,d redirects/s in all (0: as fast as they go)%n", kind, rows,
                Files.size(file), threads, rate);

        try (Kurz kurz = Kurz.start(KurzConfig.from(new Env(env)), Clock.systemUTC())) {
            String base = "http://127.0.0.1:" + kurz.port();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            for (int i = 0; i < 100; i++) {
                http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/links")).header("X-Api-Key", KEY)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("url", "https://example.org/r/" + i).put("slug", "r" + i).encode()))
                        .build(), HttpResponse.BodyHandlers.discarding());
            }
            Load load = new Load(http, base, threads, rate);
            load.start();
            Thread.sleep(5000);
            Load.Window idle = load.window();
            Thread.sleep(5000);
            idle = load.window();

            long posted = System.nanoTime();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/imports?format=csv"))
                    .header("X-Api-Key", KEY).header("Content-Type", "text/csv").timeout(Duration.ofMinutes(5))
                    .POST(HttpRequest.BodyPublishers.ofFile(file)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 202) throw new IllegalStateException("import refused: " + r.statusCode() + " " + r.body());
            double uploadSeconds = (System.nanoTime() - posted) / 1e9;
            String id = new JsonObject(r.body()).getString("id");
            load.window();
            JsonObject job;
            while (true) {
                Thread.sleep(1000);
                job = new JsonObject(http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/imports/" + id)).header("X-Api-Key", KEY).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                String status = job.getString("status");
                if (!status.equals("queued") && !status.equals("running")) break;
            }
            Load.Window during = load.window();
            load.stop();
            double seconds = Duration.between(Instant.parse(job.getString("startedAt")), Instant.parse(job.getString("finishedAt"))).toMillis() / 1000.0;
            System.out.printf("upload (HTTP body to a stored job): %.1f s%n", uploadSeconds);
            System.out.printf("import: %s, %,d imported, %,d failed, %,d skipped in %.1f s = %,.0f rows/s%n", job.getString("status"),
                    job.getLong("imported"), job.getLong("failed"), job.getLong("skipped"), seconds, rows / seconds);
            System.out.println("redirects before the import: " + idle);
            System.out.println("redirects during the import: " + during);
            System.out.printf("RESULT db=%s rows=%d rows_per_s=%.0f redirects_per_s_before=%.0f during=%.0f p99_ms_before=%.1f during=%.1f errors_during=%d%n",
                    kind, rows, rows / seconds, idle.rate(), during.rate(), idle.p99(), during.p99(), during.errors());
        }
    }

    /**
     * Redirect load: each thread requests one of 100 slugs after the other, at a fixed pace when
     * {@code rate} > 0 (latency then counts from when a request was due, so a stalled server is
     * not hidden by requests it delayed), else as fast as answers come.
     */
    static final class Load {
        record Window(double seconds, long count, long errors, double p50, double p99, double max) {
            double rate() {
                return count / seconds;
            }

            @Override
            public String toString() {
                return String.format("%,.0f/s, p50 %.2f ms, p99 %.2f ms, max %.1f ms, %d errors", rate(), p50, p99, max, errors);
            }
        }

        private final HttpClient http;
        private final String base;
        private final Thread[] threads;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong errors = new AtomicLong();
        private long[] latencies = new long[1 << 22];
        private int n;
        private long windowStart = System.nanoTime();

        private final int rate;

        Load(HttpClient http, String base, int threads, int rate) {
            this.rate = rate;
            this.http = http;
            this.base = base;
            this.threads = new Thread[threads];
        }

        void start() {
            for (int t = 0; t < threads.length; t++) {
                int seed = t;
                threads[t] = Thread.ofPlatform().daemon(true).start(() -> {
                    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NEVER).build();
                    int i = seed;
                    long interval = rate > 0 ? 1_000_000_000L * threads.length / rate : 0;
                    long due = System.nanoTime();
                    while (running.get()) {
                        if (interval > 0) {
                            due += interval;
                            long wait = due - System.nanoTime();
                            if (wait > 0) java.util.concurrent.locks.LockSupport.parkNanos(wait);
                        }
                        long t0 = interval > 0 ? due : System.nanoTime();
                        try {
                            HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create(base + "/r" + (i++ % 100))).build(),
                                    HttpResponse.BodyHandlers.discarding());
                            if (r.statusCode() != 302) errors.incrementAndGet();
                        } catch (Exception e) {
                            errors.incrementAndGet();
                        }
                        record(System.nanoTime() - t0);
                    }
                });
            }
        }

        private synchronized void record(long nanos) {
            if (n < latencies.length) latencies[n++] = nanos;
        }

        synchronized Window window() {
            long now = System.nanoTime();
            long[] l = Arrays.copyOf(latencies, n);
            Arrays.sort(l);
            double seconds = (now - windowStart) / 1e9;
            Window w = new Window(seconds, l.length, errors.getAndSet(0), pct(l, 0.50), pct(l, 0.99), l.length == 0 ? 0 : l[l.length - 1] / 1e6);
            n = 0;
            windowStart = now;
            return w;
        }

        private static double pct(long[] sorted, double p) {
            return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1e6;
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) t.join(5000);
        }
    }
}
