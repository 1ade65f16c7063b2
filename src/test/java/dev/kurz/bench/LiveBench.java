package dev.kurz.bench;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live dashboards under load: N WebSocket dashboards subscribed to a mix of links while this JVM
 * drives a fixed rate of redirects at the server. Measures click → frame latency (receive time
 * minus the frame's {@code t}; same machine, same clock), server memory per connection, frames
 * per second, and connections the server closed (must be 0).
 *
 * <p>Run: {@code bench/live/run.sh} (starts Kurz pinned to core 0, this tool on core 1), e.g.
 * {@code SECONDS=15 bench/live/run.sh}. By hand, against a running server, with the test class
 * path that script builds:
 * <pre>
 * java -cp target/classes:target/test-classes:$(cat target/bench.classpath) dev.kurz.bench.LiveBench \
 *   --base http://127.0.0.1:PORT --key KEY --pid SERVER_PID --connections 1000 --links 1000 --rate 10000 --seconds 60
 * </pre>
 * Other options (defaults): {@code --warmup-seconds 30 --event-loops 2 --max-in-flight 5000
 * --http-connections 64 --slugs-per-connection 5 --all-every 50 --reference-seconds SECONDS
 * --reference-warmup-seconds 10 --metrics URL-of-the-management-port's-/metrics}.
 *
 * <p>What the figures are. A {@code click} frame's {@code t} is the redirect's time (ms), so its
 * latency is the whole way: buffer → batcher → hub tick (100 ms) → socket. Those frames are
 * samples, and on busy dashboards old ones: the hub keeps the first 500 clicks of each tick, and
 * a connection takes the first 20 of each second, all from the first tick that reaches it in
 * that second. They are reported apart for 5-link and all-links dashboards. A {@code clicks}
 * frame's {@code t} is the hub's tick time, so its latency is delivery only (tick → fan-out →
 * socket → here). Both {@code t} are truncated to the millisecond, which adds 0–1 ms. The
 * "bench event-loop lag" line shows how much of that this JVM adds.
 *
 * <p>The load runs {@code --warmup-seconds} at the same rate before the measured seconds (a cold
 * server on one core falls seconds behind while it compiles). It is open-loop: it sends on a 1 ms
 * schedule whatever the answers do, and gives up sends (counted as "skipped") only while more
 * than {@code --max-in-flight} requests wait.
 */
public final class LiveBench {
    private static final String[] BROWSERS = Arrays.copyOf(BenchSupport.USER_AGENTS, 8); // the first 8 are browsers, the rest bots
    private static final int CLICK_FEW = 0, CLICK_ALL = 1, CLICKS_FEW = 2, CLICKS_ALL = 3, REDIRECT = 4, LAG = 5, REDIRECT_SCHED = 6,
            LOAD_LAG = 7, REF_REDIRECT = 8, REF_REDIRECT_SCHED = 9, REF_LOAD_LAG = 10, KINDS = 11;
    private static final String[] SERIES = {"click frames, 5-link dashboards (redirect -> frame)",
        "click frames, all-links dashboards (redirect -> frame)", "clicks frames, 5-link dashboards (tick -> frame)",
        "clicks frames, all-links dashboards (tick -> frame)", "redirects (send -> 302, incl. pool wait)",
        "bench dashboards' event-loop lag (5 ms timer lateness)", "redirects (schedule -> 302, corrected)",
        "bench load event-loop lag (5 ms timer lateness)", "redirects without dashboards (send -> 302, incl. pool wait)",
        "redirects without dashboards (schedule -> 302, corrected)", "bench load event-loop lag without dashboards"};

    public static void main(String[] args) throws Exception {
        String base = BenchSupport.arg(args, "base", "http://127.0.0.1:8080");
        String key = BenchSupport.arg(args, "key", null);
        long pid = Long.parseLong(BenchSupport.arg(args, "pid", "0"));
        int connections = Integer.parseInt(BenchSupport.arg(args, "connections", "1000"));
        int links = Integer.parseInt(BenchSupport.arg(args, "links", "1000"));
        int rate = Integer.parseInt(BenchSupport.arg(args, "rate", "10000"));
        int seconds = Integer.parseInt(BenchSupport.arg(args, "seconds", "60"));
        int loops = Integer.parseInt(BenchSupport.arg(args, "event-loops", "2"));
        int httpConnections = Integer.parseInt(BenchSupport.arg(args, "http-connections", "64"));
        int maxInFlight = Integer.parseInt(BenchSupport.arg(args, "max-in-flight", "5000"));
        int perConnection = Integer.parseInt(BenchSupport.arg(args, "slugs-per-connection", "5"));
        int allEvery = Integer.parseInt(BenchSupport.arg(args, "all-every", "50"));
        int warmup = Integer.parseInt(BenchSupport.arg(args, "warmup-seconds", "30"));
        int referenceSeconds = Integer.parseInt(BenchSupport.arg(args, "reference-seconds", Integer.toString(seconds)));
        int referenceWarmup = Integer.parseInt(BenchSupport.arg(args, "reference-warmup-seconds", "10"));
        String metrics = BenchSupport.arg(args, "metrics", null);
        if (key == null) throw new IllegalArgumentException("--key is required (an API key with links:read and links:write)");
        URI uri = URI.create(base);
        String host = uri.getHost();
        int port = uri.getPort();
        Random random = new Random(42);

        System.out.printf("live benchmark: %s, %d dashboards (every %dth on all links, the others on %d random links), %d links, "
                + "%d redirects/s for %d s, %d HTTP connections, %d event loops; server pid %d%n",
                base, connections, allEvery, perConnection, links, rate, seconds, httpConnections, loops, pid);

        // 1. Links lb0..lbN-1.
        long t0 = System.nanoTime();
        createLinks(base, key, links);
        System.out.printf("links: %d created through POST /api/v1/links/batch in %d ms%n", links, millisSince(t0));

        // 2. Memory before the dashboards.
        Jcmd jcmd = Jcmd.find(pid);
        Thread.sleep(1000);
        long rssBefore = rssKib(pid);
        Map<String, long[]> histoBefore = jcmd == null ? null : jcmd.histogram();
        long rssBeforeAfterGc = rssKib(pid);

        // 3. Dashboards.
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(true));
        WebSocketClient wsClient = vertx.createWebSocketClient(new WebSocketClientOptions()
                .setMaxConnections(connections + 16).setConnectTimeout(10_000).setMaxMessageSize(1 << 20));
        Stats stats = new Stats();
        List<Dashboard> dashboards = new ArrayList<>(connections);
        Semaphore opening = new Semaphore(64);
        Context[] contexts = eventLoopContexts(vertx, loops);
        CountDownLatch subscribed = new CountDownLatch(connections);
        t0 = System.nanoTime();
        for (int i = 0; i < connections; i++) {
            boolean all = allEvery > 0 && i % allEvery == 0;
            JsonObject subscribe = new JsonObject().put("type", "subscribe");
            if (all) subscribe.put("all", true);
            else subscribe.put("links", randomSlugs(random, links, perConnection));
            Dashboard d = new Dashboard(all, subscribe.encode(), key, stats, subscribed, opening);
            dashboards.add(d);
            opening.acquire();
            // The socket lives on the event loop of the context that connects (from this thread, all would share one).
            contexts[i % loops].runOnContext(v -> wsClient.connect(
                            new WebSocketConnectOptions().setHost(host).setPort(port).setURI("/api/v1/live"))
                    .onSuccess(d::attach)
                    .onFailure(e -> d.failed("connect: " + e)));
        }
        if (!subscribed.await(120, TimeUnit.SECONDS)) {
            System.out.printf("only %d of %d dashboards subscribed within 120 s%n", connections - subscribed.getCount(), connections);
        }
        long setupFailures = dashboards.stream().filter(d -> d.failure != null).count();
        List<String> why = dashboards.stream().filter(d -> d.failure != null).map(d -> d.failure).distinct().limit(3).toList();
        System.out.printf("dashboards: %d subscribed in %d ms, per bench event loop %s (%d failed%s)%n",
                connections - subscribed.getCount() - setupFailures, millisSince(t0), new TreeMap<>(stats.dashboardsPerThread).values(),
                setupFailures, why.isEmpty() ? "" : ": " + why);

        // 4. Memory with the dashboards.
        Thread.sleep(2000);
        long rssAfter = rssKib(pid);
        Map<String, long[]> histoAfter = jcmd == null ? null : jcmd.histogram();
        long rssAfterAfterGc = rssKib(pid);
        double rssPerConn = (rssAfter - rssBefore) * 1024.0 / connections;
        double rssPerConnGc = (rssAfterAfterGc - rssBeforeAfterGc) * 1024.0 / connections;
        System.out.printf("server RSS: %.1f MiB before the dashboards, %.1f MiB with them -> %.1f KiB per connection "
                        + "(after full GCs: %.1f -> %.1f MiB, %.1f KiB per connection)%n",
                rssBefore / 1024.0, rssAfter / 1024.0, rssPerConn / 1024, rssBeforeAfterGc / 1024.0, rssAfterAfterGc / 1024.0,
                rssPerConnGc / 1024);
        double heapPerConn = Double.NaN;
        if (histoBefore != null && histoAfter != null) {
            long before = histoBefore.get("Total")[1];
            long after = histoAfter.get("Total")[1];
            heapPerConn = (after - before) / (double) connections;
            System.out.printf("server live heap (jcmd GC.class_histogram): %.1f MiB -> %.1f MiB -> %.0f B per connection; largest growth:%n",
                    before / 1048576.0, after / 1048576.0, heapPerConn);
            growth(histoBefore, histoAfter, connections);
        } else {
            System.out.println("server live heap: n/a (no jcmd next to the server's or this JVM)");
        }

        // 5. Load, open-loop: a warm-up (JIT, pools; not measured), then the measured seconds with the
        // dashboards; then the dashboards close and the same load runs again as the same-run reference.
        // The load has its own Vert.x (one event loop): an answer never waits behind dashboard frames
        // in this JVM's queues (it still shares CLIENT_CORE with them; the lag lines show how much).
        Vertx loadVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setPreferNativeTransport(true));
        Context pacer = eventLoopContexts(loadVertx, 1)[0];
        HttpClient http = loadVertx.createHttpClient(new HttpClientOptions().setDefaultHost(host).setDefaultPort(port)
                .setKeepAlive(true).setPipelining(false), new PoolOptions().setHttp1MaxSize(httpConnections));
        stats.probeLag(vertx, contexts, LAG);
        stats.probeLag(loadVertx, new Context[] {pacer}, LOAD_LAG);
        Phase with = Phase.run("with " + connections + " dashboards", 0, http, loadVertx, pacer, rate, links, maxInFlight, stats, pid,
                metrics, warmup, seconds);
        Load load = with.load;
        long rssLoaded = rssKib(pid);
        long closedByServer = stats.closedByServer.sum();
        Map<String, Long> closeReasons = new TreeMap<>(stats.closeReasons);
        long okWithDashboards = load.ok.sum();
        long sumAll = 0;
        int allCount = 0;
        for (Dashboard d : dashboards) {
            if (d.all) {
                sumAll += d.clicksSeen();
                allCount++;
            }
        }
        Phase without = null;
        if (referenceSeconds > 0) {
            stats.dashboardsClosing = true;
            long closing = System.nanoTime();
            for (Dashboard d : dashboards) d.close();
            while (stats.dashboardsClosed.sum() < dashboards.stream().filter(d -> d.ws != null).count()
                    && System.nanoTime() - closing < TimeUnit.SECONDS.toNanos(15)) {
                Thread.sleep(50);
            }
            System.out.printf("dashboards: %d closed by this side in %d ms; the same load again without them (the same-run reference)%n",
                    stats.dashboardsClosed.sum(), millisSince(closing));
            Thread.sleep(1000);
            without = Phase.run("without dashboards", 1, http, loadVertx, pacer, rate, links, maxInFlight, stats, pid, metrics,
                    referenceWarmup, referenceSeconds);
        }
        JsonObject serverStats = serverStats(base, key);

        stats.closing = true;
        // Vert.x closes a client nobody references (and its connections) when the GC finds it:
        // both stay reachable until here, or the dashboards could close mid-run.
        java.lang.ref.Reference.reachabilityFence(wsClient);
        java.lang.ref.Reference.reachabilityFence(http);
        vertx.close().await(20, TimeUnit.SECONDS);
        loadVertx.close().await(20, TimeUnit.SECONDS);

        // 6. Report (the measured seconds only, except where it says "in all").
        Map<Integer, int[]> samples = stats.merge();
        with.report(samples, connections);
        if (without != null) without.report(samples, connections);
        double[][] pct = new double[KINDS][];
        System.out.println("latency (with the dashboards unless it says otherwise):");
        for (int k = 0; k < KINDS; k++) {
            pct[k] = percentiles(samples.get(k));
            System.out.printf("latency %-62s n=%-9d p50 %7.1f  p90 %7.1f  p99 %7.1f  p99.9 %7.1f  max %7.1f ms%n", SERIES[k],
                    samples.get(k).length, pct[k][0], pct[k][1], pct[k][2], pct[k][3], pct[k][4]);
        }
        int[] allClick = concat(samples.get(CLICK_FEW), samples.get(CLICK_ALL));
        double[] pClick = percentiles(allClick);
        System.out.printf("latency %-62s n=%-9d p50 %7.1f  p90 %7.1f  p99 %7.1f  p99.9 %7.1f  max %7.1f ms%n", "click frames, all dashboards",
                allClick.length, pClick[0], pClick[1], pClick[2], pClick[3], pClick[4]);
        int[] allClicks = concat(samples.get(CLICKS_FEW), samples.get(CLICKS_ALL));
        double[] pClicks = percentiles(allClicks);
        System.out.printf("latency %-62s n=%-9d p50 %7.1f  p90 %7.1f  p99 %7.1f  p99.9 %7.1f  max %7.1f ms%n", "clicks frames, all dashboards",
                allClicks.length, pClicks[0], pClicks[1], pClicks[2], pClicks[3], pClicks[4]);
        System.out.printf("all-links dashboards: %d, each saw %.2f %% of the %d 302s while they were open (in all, warm-up included)%n",
                allCount, allCount == 0 || okWithDashboards == 0 ? 0 : 100.0 * sumAll / ((double) allCount * okWithDashboards), okWithDashboards);
        long okInAll = okWithDashboards + (without == null ? 0 : without.load.ok.sum());
        if (serverStats != null) {
            JsonObject t = serverStats.getJsonObject("totals", new JsonObject());
            System.out.printf("server stats API (in all): %d clicks recorded, %d human, %d dropped by the click buffer; 302s seen here: %d%n",
                    t.getLong("clicks", -1L), t.getLong("humanClicks", -1L), t.getLong("dropped", -1L), okInAll);
        }
        System.out.printf("server RSS after the load with the dashboards: %.1f MiB%n", rssLoaded / 1024.0);
        System.out.printf("connections closed by the server: %d%s%n", closedByServer, closeReasons.isEmpty() ? "" : " " + closeReasons);

        double framesPerSecond = with.framesPerSecond;
        double[] rw = pct[REDIRECT_SCHED];
        double[] rr = without == null ? new double[5] : percentiles(samples.get(REF_REDIRECT_SCHED));
        System.out.printf(java.util.Locale.ROOT, "RESULT live: connections=%d links=%d target_rate=%d achieved_rate=%.0f non302=%d skipped=%d "
                        + "click_p50_ms=%.1f click_p90_ms=%.1f click_p99_ms=%.1f click_p999_ms=%.1f click_max_ms=%.1f click_n=%d "
                        + "clicks_p50_ms=%.1f clicks_p90_ms=%.1f clicks_p99_ms=%.1f clicks_p999_ms=%.1f clicks_max_ms=%.1f clicks_n=%d "
                        + "frames_per_s=%.0f rss_per_conn_kib=%.1f rss_per_conn_after_gc_kib=%.1f heap_per_conn_b=%.0f "
                        + "dropped_connections=%d setup_failures=%d bench_loop_lag_p99_ms=%.1f load_loop_lag_p99_ms=%.1f%n",
                connections, links, rate, with.achieved, with.bad, with.skipped,
                pClick[0], pClick[1], pClick[2], pClick[3], pClick[4], allClick.length,
                pClicks[0], pClicks[1], pClicks[2], pClicks[3], pClicks[4], allClicks.length,
                framesPerSecond, rssPerConn / 1024, rssPerConnGc / 1024, heapPerConn, closedByServer, setupFailures, pct[LAG][2],
                pct[LOAD_LAG][2]);
        System.out.printf(java.util.Locale.ROOT, "RESULT live redirects (from the schedule, ms): with_p50=%.2f with_p99=%.2f with_p999=%.2f "
                        + "with_max=%.1f without_p50=%.2f without_p99=%.2f without_p999=%.2f without_max=%.1f tax_p99=%.2f "
                        + "with_rate=%.0f without_rate=%.0f%n", rw[0], rw[2], rw[3], rw[4], rr[0], rr[2], rr[3], rr[4], rw[2] - rr[2],
                with.achieved, without == null ? 0 : without.achieved);
        List<String> missed = new ArrayList<>();
        if (pClick[2] > 100) missed.add(String.format("click p99 %.0f ms > 100 ms", pClick[2]));
        if (with.achieved < rate * 0.97) missed.add(String.format("%.0f/s < %d/s", with.achieved, rate));
        if (with.bad > 0 || with.skipped > 0) missed.add(with.bad + " non-302, " + with.skipped + " skipped");
        if (closedByServer > 0 || setupFailures > 0) missed.add(closedByServer + " connections dropped, " + setupFailures + " failed to set up");
        System.out.println("RESULT live goal (click p99 <= 100 ms at the target rate, no errors, no connection dropped): "
                + (missed.isEmpty() ? "MET" : "NOT MET: " + String.join("; ", missed)));
        System.out.println("RESULT live redirect goal (redirect p99 <= 5 ms with the dashboards, from the schedule): "
                + (rw[2] <= 5 ? "MET" : String.format("NOT MET: %.1f ms (without them in the same run: %.1f ms)", rw[2], rr[2])));
        System.exit(0);
    }

    // ---- one load phase ----

    /** One paced load: its warm-up, its measured seconds, and what the server said about them. */
    static final class Phase {
        final String name;
        final int index;
        final Load load;
        double seconds;
        double achieved;
        long sent;
        long bad;
        long skipped;
        double framesPerSecond;
        String frames;
        String cpu;
        String serverLoop;
        String serverRedirects;

        private Phase(String name, int index, Load load) {
            this.name = name;
            this.index = index;
            this.load = load;
        }

        static Phase run(String name, int index, HttpClient http, Vertx loadVertx, Context pacer, int rate, int links, int maxInFlight,
                         Stats stats, long pid, String metrics, int warmup, int seconds) throws Exception {
            Load load = new Load(http, rate, links, maxInFlight, stats);
            Phase p = new Phase(name, index, load);
            stats.phase = index;
            stats.recording = warmup == 0;
            System.out.printf("load %s: %d s warm-up, %d s measured%n", name, warmup, seconds);
            long loadStart = System.nanoTime();
            pacer.runOnContext(v -> load.start(loadVertx, loadStart));
            System.out.printf("%6s %8s %8s %7s %9s %8s %8s %8s %8s %10s %10s %6s%n", "s", "sent/s", "302/s", "non302", "in-flight", "skipped",
                    "frames/s", "click/s", "clicks/s", "clickMaxMs", "clicksMaxMs", "closed");
            long[] last = stats.snapshot(load);
            long[] m0 = last;
            Cpu cpu0 = Cpu.read(pid);
            Map<String, Double> metrics0 = scrape(metrics);
            long measureStart = loadStart;
            for (int s = 1; s <= warmup + seconds; s++) {
                long next = loadStart + TimeUnit.SECONDS.toNanos(s);
                TimeUnit.NANOSECONDS.sleep(Math.max(0, next - System.nanoTime()));
                long[] now = stats.snapshot(load);
                System.out.printf("%6s %8d %8d %7d %9d %8d %8d %8d %8d %10d %10d %6d%n", s <= warmup ? "w" + s : Integer.toString(s - warmup),
                        now[0] - last[0], now[1] - last[1], now[2] - last[2], load.inFlight.get(), now[3] - last[3], now[4] - last[4],
                        now[5] - last[5], now[6] - last[6], stats.maxClick.getThenReset() / 1000, stats.maxClicks.getThenReset() / 1000,
                        stats.closedByServer.sum());
                last = now;
                if (s == warmup) {
                    stats.recording = true;
                    m0 = now;
                    cpu0 = Cpu.read(pid);
                    metrics0 = scrape(metrics);
                    measureStart = System.nanoTime();
                }
            }
            stats.recording = false;
            pacer.runOnContext(v -> load.stop(loadVertx));
            p.seconds = (System.nanoTime() - measureStart) / 1e9;
            Cpu cpu1 = Cpu.read(pid);
            Map<String, Double> metrics1 = scrape(metrics);
            long[] atEnd = stats.snapshot(load);
            // Let the last answers arrive before the next phase (they are not recorded).
            long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (load.inFlight.get() > 0 && System.nanoTime() < drainUntil) Thread.sleep(20);
            p.sent = atEnd[0] - m0[0];
            long ok = atEnd[1] - m0[1];
            p.bad = atEnd[2] - m0[2];
            p.skipped = atEnd[3] - m0[3];
            p.achieved = ok / p.seconds;
            p.framesPerSecond = (atEnd[4] - m0[4]) / p.seconds;
            p.frames = String.format("%.0f/s = %.0f click/s + %.0f clicks/s + %.0f other/s", p.framesPerSecond,
                    (atEnd[5] - m0[5]) / p.seconds, (atEnd[6] - m0[6]) / p.seconds, (atEnd[7] - m0[7]) / p.seconds);
            p.cpu = String.format("server %.0f %% of a core, bench %.0f %%; %s", cpu1.proc(cpu0, p.seconds), cpu1.self(cpu0, p.seconds),
                    cpu1.cores(cpu0));
            p.serverLoop = histogram(metrics0, metrics1, "kurz_event_loop_delay_seconds_bucket{");
            p.serverRedirects = histogram(metrics0, metrics1, "kurz_redirect_latency_seconds_bucket{outcome=\"redirect\",");
            return p;
        }

        void report(Map<Integer, int[]> samples, int connections) {
            System.out.printf("=== phase %s (measured %.1f s)%n", name, seconds);
            System.out.printf("  load: %d redirects sent = %.0f/s (target %d/s), %.0f/s answered 302, %d non-302/errors, %d skipped "
                    + "(more than %d in flight)%n", sent, sent / seconds, load.rate, achieved, bad, skipped, load.maxInFlight);
            if (!load.badKinds.isEmpty()) System.out.println("  non-302 answers and errors (in all): " + new TreeMap<>(load.badKinds));
            System.out.println("  cpu: " + cpu);
            System.out.printf("  frames: %s; %.0f per dashboard per second%n", frames, framesPerSecond / connections);
            int[] kinds = index == 0 ? new int[] {REDIRECT_SCHED, REDIRECT, LOAD_LAG} : new int[] {REF_REDIRECT_SCHED, REF_REDIRECT, REF_LOAD_LAG};
            for (int k : kinds) {
                double[] q = percentiles(samples.get(k));
                System.out.printf("  latency %-62s n=%-9d p50 %7.2f  p90 %7.2f  p99 %7.2f  p99.9 %7.2f  max %7.1f ms%n", SERIES[k],
                        samples.get(k).length, q[0], q[1], q[2], q[3], q[4]);
            }
            System.out.println("  server event-loop delay (kurz_event_loop_delay_seconds, 5 ms ticks): " + serverLoop);
            System.out.println("  server redirect latency (kurz_redirect_latency_seconds, 1 in 16, dispatch -> answer): " + serverRedirects);
        }
    }

    /** The Prometheus text of the management port, bucket lines only; empty when there is none. */
    static Map<String, Double> scrape(String url) {
        Map<String, Double> out = new HashMap<>();
        if (url == null) return out;
        for (int attempt = 1; ; attempt++) {
            // A scrape under load once ended in "EOF reached while reading": up to 3 tries, plain HTTP/1.1 (no h2c upgrade offer).
            try (java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build()) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                for (String line : r.body().split("\n")) {
                    if (line.startsWith("#") || !line.contains("_bucket{")) continue;
                    int sp = line.lastIndexOf(' ');
                    out.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1)));
                }
                return out;
            } catch (Exception e) {
                if (attempt == 3) {
                    System.out.println("GET " + url + " failed: " + e);
                    return out;
                }
            }
        }
    }

    /** The share of a histogram's observations between two scrapes above each bucket bound, and the bound of its p99. */
    static String histogram(Map<String, Double> before, Map<String, Double> after, String prefix) {
        TreeMap<Double, Double> counts = new TreeMap<>();
        after.forEach((k, v) -> {
            if (!k.startsWith(prefix)) return;
            int at = k.indexOf("le=\"");
            String le = k.substring(at + 4, k.indexOf('"', at + 4));
            counts.put(le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le), v - before.getOrDefault(k, 0.0));
        });
        Double total = counts.get(Double.POSITIVE_INFINITY);
        if (total == null || total == 0) return "n/a";
        StringBuilder b = new StringBuilder(String.format("n=%.0f", total));
        String p99 = null;
        for (Map.Entry<Double, Double> e : counts.entrySet()) {
            if (e.getKey().isInfinite()) break;
            double above = total - e.getValue();
            if (e.getKey() >= 0.0005) b.append(String.format(", >%s ms %.2f %%", trim(e.getKey() * 1000), 100 * above / total));
            if (p99 == null && e.getValue() >= 0.99 * total) p99 = trim(e.getKey() * 1000);
        }
        return b.append("; p99 <= ").append(p99 == null ? "above the last bound" : p99 + " ms").toString();
    }

    private static String trim(double ms) {
        return ms == Math.rint(ms) ? Long.toString((long) ms) : Double.toString(ms);
    }

    // ---- one dashboard ----

    /** One WebSocket dashboard. Every handler runs on its connection's event loop. */
    static final class Dashboard {
        final boolean all;
        final String subscribe;
        final String key;
        final Stats stats;
        final CountDownLatch subscribed;
        final Semaphore opening;
        volatile String failure;
        volatile WebSocket ws;
        private boolean ready;
        private boolean done;
        private long clicksSeen;

        Dashboard(boolean all, String subscribe, String key, Stats stats, CountDownLatch subscribed, Semaphore opening) {
            this.all = all;
            this.subscribe = subscribe;
            this.key = key;
            this.stats = stats;
            this.subscribed = subscribed;
            this.opening = opening;
        }

        synchronized long clicksSeen() {
            return clicksSeen;
        }

        void attach(WebSocket ws) {
            this.ws = ws;
            stats.dashboardsPerThread.merge(Thread.currentThread().getName(), 1L, Long::sum);
            ws.textMessageHandler(text -> onText(ws, text));
            ws.closeHandler(v -> {
                if (stats.dashboardsClosing) stats.dashboardsClosed.increment();
                if (stats.closing || stats.dashboardsClosing) return;
                stats.closedByServer.increment();
                stats.closeReasons.merge(ws.closeStatusCode() + " " + ws.closeReason(), 1L, Long::sum);
                if (!done) failed("closed during setup: " + ws.closeStatusCode() + " " + ws.closeReason());
            });
            ws.exceptionHandler(e -> stats.closeReasons.merge("exception " + e, 1L, Long::sum));
            ws.writeTextMessage(new JsonObject().put("type", "auth").put("key", key).put("batch", true).encode());
        }

        /** Closed by this side, for the reference phase. */
        void close() {
            WebSocket w = ws;
            if (w != null) w.close();
        }

        void failed(String why) {
            if (done) return;
            done = true;
            failure = why;
            opening.release();
            subscribed.countDown();
        }

        private void onText(WebSocket ws, String text) {
            if (done) {
                stats.frame(text, this);
                return;
            }
            JsonObject f = new JsonObject(text);
            switch (f.getString("type", "")) {
                case "ready" -> {
                    ready = true;
                    ws.writeTextMessage(subscribe);
                }
                case "subscribed" -> {
                    if (!ready) return;
                    done = true;
                    opening.release();
                    subscribed.countDown();
                }
                case "error" -> failed("error frame: " + f.getString("message"));
                default -> { } // e.g. a link frame while setting up
            }
        }

        void addClicks(long n) {
            synchronized (this) {
                clicksSeen += n;
            }
        }
    }

    // ---- counters and samples ----

    static final class Stats {
        final LongAdder frames = new LongAdder();
        final LongAdder clickFrames = new LongAdder();
        final LongAdder clicksFrames = new LongAdder();
        final LongAdder otherFrames = new LongAdder();
        final LongAdder closedByServer = new LongAdder();
        final LongAccumulator maxClick = new LongAccumulator(Math::max, 0);
        final LongAccumulator maxClicks = new LongAccumulator(Math::max, 0);
        final Map<String, Long> closeReasons = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<Samples> allSamples = new ConcurrentLinkedQueue<>();
        final Map<String, Long> dashboardsPerThread = new ConcurrentHashMap<>();
        final ThreadLocal<Samples> samples = ThreadLocal.withInitial(() -> {
            Samples s = new Samples();
            allSamples.add(s);
            return s;
        });
        final LongAdder dashboardsClosed = new LongAdder();
        volatile boolean recording;
        volatile boolean closing;
        volatile boolean dashboardsClosing;
        /** 0: with the dashboards, 1: the reference without them. */
        volatile int phase;

        /** A frame after setup: counted, and its latency taken when it is a click or clicks frame. */
        void frame(String text, Dashboard d) {
            if (text.startsWith("{\"type\":\"batch\"")) {
                // One frame per line between the first and the last line; lines end with ','.
                String[] lines = text.split("\n");
                for (int i = 1; i < lines.length - 1; i++) {
                    String line = lines[i];
                    frame(line.endsWith(",") ? line.substring(0, line.length() - 1) : line, d);
                }
                return;
            }
            frames.increment();
            boolean clicks = text.startsWith("{\"type\":\"clicks\"");
            boolean click = !clicks && text.startsWith("{\"type\":\"click\"");
            if (!clicks && !click) {
                otherFrames.increment();
                return;
            }
            (clicks ? clicksFrames : clickFrames).increment();
            if (clicks && d.all) d.addClicks(longField(text, "\"clicks\":"));
            long nowMicros = nowMicros();
            int at = text.indexOf("\"t\":\"");
            if (at < 0) return;
            long micros = nowMicros - epochMillis(text, at + 5) * 1000;
            (click ? maxClick : maxClicks).accumulate(micros);
            if (recording) samples.get().add(click ? (d.all ? CLICK_ALL : CLICK_FEW) : d.all ? CLICKS_ALL : CLICKS_FEW, micros);
        }

        /** A 302: micros since the request was sent, and since the schedule said to send it. */
        void redirect(long sentMicros, long scheduledMicros) {
            if (!recording) return;
            Samples s = samples.get();
            s.add(phase == 0 ? REDIRECT : REF_REDIRECT, sentMicros);
            s.add(phase == 0 ? REDIRECT_SCHED : REF_REDIRECT_SCHED, scheduledMicros);
        }

        /** How late a 5 ms timer fires on each event loop: how long a frame that just arrived waits here before it is read. */
        void probeLag(Vertx vertx, Context[] contexts, int kind) {
            for (Context c : contexts) c.runOnContext(v -> probe(vertx, System.nanoTime() + 5_000_000, kind));
        }

        private void probe(Vertx vertx, long due, int kind) {
            vertx.setTimer(5, id -> {
                long now = System.nanoTime();
                if (recording && kind == LOAD_LAG) samples.get().add(phase == 0 ? LOAD_LAG : REF_LOAD_LAG, (now - due) / 1000);
                else if (recording && phase == 0) samples.get().add(kind, (now - due) / 1000);
                if (!closing) probe(vertx, now + 5_000_000, kind);
            });
        }

        /** sent, 302, non-302, skipped, frames, click, clicks, other */
        long[] snapshot(Load load) {
            return new long[] {load.sent.get(), load.ok.sum(), load.bad.sum(), load.skipped.get(), frames.sum(), clickFrames.sum(),
                clicksFrames.sum(), otherFrames.sum()};
        }

        /** Call once the event loops are stopped. */
        Map<Integer, int[]> merge() {
            Map<Integer, int[]> out = new HashMap<>();
            for (int k = 0; k < KINDS; k++) {
                int n = 0;
                for (Samples s : allSamples) n += s.size[k];
                int[] a = new int[n];
                int at = 0;
                for (Samples s : allSamples) {
                    System.arraycopy(s.values[k], 0, a, at, s.size[k]);
                    at += s.size[k];
                }
                Arrays.sort(a);
                out.put(k, a);
            }
            return out;
        }
    }

    /** One thread's latency samples, in microseconds. */
    static final class Samples {
        final int[][] values = new int[KINDS][1 << 14];
        final int[] size = new int[KINDS];

        void add(int kind, long micros) {
            int[] v = values[kind];
            if (size[kind] == v.length) values[kind] = v = Arrays.copyOf(v, v.length * 2);
            v[size[kind]++] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, micros));
        }
    }

    // ---- the load generator ----

    /** Paced GET /lbN: every millisecond, sends what the schedule says is due. Runs on one event loop. */
    static final class Load {
        final HttpClient http;
        final int rate;
        final int links;
        final int maxInFlight;
        final Stats stats;
        final AtomicLong sent = new AtomicLong();
        final AtomicLong skipped = new AtomicLong();
        final AtomicInteger inFlight = new AtomicInteger();
        final LongAdder ok = new LongAdder();
        final LongAdder bad = new LongAdder();
        final Map<String, Long> badKinds = new ConcurrentHashMap<>();
        private final Random random = new Random(43);
        private long timer;
        private long start;
        private long scheduled;

        Load(HttpClient http, int rate, int links, int maxInFlight, Stats stats) {
            this.http = http;
            this.rate = rate;
            this.links = links;
            this.maxInFlight = maxInFlight;
            this.stats = stats;
        }

        void start(Vertx vertx, long startNanos) {
            start = startNanos;
            timer = vertx.setPeriodic(1, 1, id -> tick());
        }

        void stop(Vertx vertx) {
            vertx.cancelTimer(timer);
        }

        private void tick() {
            long due = (System.nanoTime() - start) * rate / 1_000_000_000L;
            while (scheduled < due) {
                scheduled++;
                if (inFlight.get() >= maxInFlight) {
                    skipped.incrementAndGet();
                    continue;
                }
                send(start + scheduled * 1_000_000_000L / rate);
            }
        }

        /**
         * One redirect, due at {@code scheduledNanos}: its latency is taken from then as well as from
         * the send (coordinated omission: a late timer or a stalled loop here delays the send, and a
         * visitor would have waited that long too).
         */
        private void send(long scheduledNanos) {
            inFlight.incrementAndGet();
            sent.incrementAndGet();
            String slug = "/lb" + random.nextInt(links);
            String ua = BROWSERS[random.nextInt(BROWSERS.length)];
            long t0 = System.nanoTime();
            http.request(HttpMethod.GET, slug)
                    .compose(req -> req.putHeader(HttpHeaders.USER_AGENT, ua).send())
                    .compose(resp -> resp.end().map(v -> resp.statusCode()))
                    .onComplete(ar -> {
                        inFlight.decrementAndGet();
                        if (ar.succeeded() && ar.result() == 302) {
                            ok.increment();
                            long now = System.nanoTime();
                            stats.redirect((now - t0) / 1000, (now - scheduledNanos) / 1000);
                        } else {
                            bad.increment();
                            badKinds.merge(ar.succeeded() ? "HTTP " + ar.result() : ar.cause().toString(), 1L, Long::sum);
                        }
                    });
        }
    }

    // ---- server side: links, memory, CPU ----

    static void createLinks(String base, String key, int n) throws IOException, InterruptedException {
        try (java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient()) {
            for (int from = 0; from < n; from += 1000) {
                JsonArray items = new JsonArray();
                for (int i = from; i < Math.min(n, from + 1000); i++) {
                    items.add(new JsonObject().put("url", "https://example.com/live/" + i).put("slug", "lb" + i));
                }
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/links/batch"))
                        .header("X-Api-Key", key).header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(120))
                        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("links", items).encode())).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) throw new IllegalStateException("POST /api/v1/links/batch: HTTP " + r.statusCode() + " " + r.body());
                for (Object o : new JsonObject(r.body()).getJsonArray("results")) {
                    JsonObject res = (JsonObject) o;
                    if (res.getInteger("status") != 201) throw new IllegalStateException("a link was not created: " + res.encode());
                }
            }
        }
    }

    static JsonObject serverStats(String base, String key) {
        try (java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient()) {
            Thread.sleep(1500); // the batcher writes once a second
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/stats")).header("X-Api-Key", key)
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? new JsonObject(r.body()) : null;
        } catch (Exception e) {
            System.out.println("GET /api/v1/stats failed: " + e);
            return null;
        }
    }

    static long rssKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        throw new IllegalStateException("no VmRSS for pid " + pid);
    }

    /** jcmd of the server's own JDK (attach wants a matching version), else of this one. */
    record Jcmd(String path, long pid) {
        static Jcmd find(long pid) {
            List<Path> candidates = new ArrayList<>();
            ProcessHandle.of(pid).flatMap(p -> p.info().command()).ifPresent(c -> candidates.add(Path.of(c).resolveSibling("jcmd")));
            candidates.add(Path.of(System.getProperty("java.home"), "bin", "jcmd"));
            for (Path p : candidates) if (Files.isExecutable(p)) return new Jcmd(p.toString(), pid);
            return null;
        }

        /** class → {instances, bytes} of live objects (runs a full GC in the server); "Total" included. */
        Map<String, long[]> histogram() throws IOException, InterruptedException {
            Process p = new ProcessBuilder(path, Long.toString(pid), "GC.class_histogram").redirectErrorStream(true).start();
            Map<String, long[]> out = new HashMap<>();
            try (var r = p.inputReader()) {
                String line;
                while ((line = r.readLine()) != null) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length >= 4 && f[0].endsWith(":")) out.put(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
                    else if (f.length >= 3 && f[0].equals("Total")) out.put("Total", new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
                }
            }
            p.waitFor(60, TimeUnit.SECONDS);
            return out.containsKey("Total") ? out : null;
        }
    }

    static void growth(Map<String, long[]> before, Map<String, long[]> after, int connections) {
        after.entrySet().stream().filter(e -> !e.getKey().equals("Total"))
                .map(e -> Map.entry(e.getKey(), new long[] {e.getValue()[0] - before.getOrDefault(e.getKey(), new long[2])[0],
                    e.getValue()[1] - before.getOrDefault(e.getKey(), new long[2])[1]}))
                .sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1])).limit(8)
                .forEach(e -> System.out.printf("    %+10d B %+8d objects (%7.1f B, %5.1f objects per connection)  %s%n", e.getValue()[1],
                        e.getValue()[0], e.getValue()[1] / (double) connections, e.getValue()[0] / (double) connections, e.getKey()));
    }

    /** CPU ticks of the server process, this process, and every core. */
    record Cpu(long server, long self, long[][] cores) {
        static final double HZ = 100; // USER_HZ on Linux

        static Cpu read(long pid) throws IOException {
            List<long[]> cores = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
                if (line.startsWith("cpu") && Character.isDigit(line.charAt(3))) {
                    String[] f = line.split("\\s+");
                    long total = 0;
                    for (int i = 1; i <= 8 && i < f.length; i++) total += Long.parseLong(f[i]);
                    long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
                    cores.add(new long[] {total - idle, total});
                }
            }
            return new Cpu(procTicks(pid), procTicks(ProcessHandle.current().pid()), cores.toArray(long[][]::new));
        }

        private static long procTicks(long pid) throws IOException {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        }

        double proc(Cpu before, double seconds) {
            return (server - before.server) / HZ / seconds * 100;
        }

        double self(Cpu before, double seconds) {
            return (self - before.self) / HZ / seconds * 100;
        }

        String cores(Cpu before) {
            StringBuilder b = new StringBuilder("cores busy:");
            for (int i = 0; i < cores.length && i < before.cores.length; i++) {
                long busy = cores[i][0] - before.cores[i][0];
                long total = cores[i][1] - before.cores[i][1];
                b.append(String.format(" cpu%d %.0f %%", i, total == 0 ? 0 : 100.0 * busy / total));
            }
            return b.toString();
        }
    }

    // ---- small helpers ----

    /** One context on each event loop (getOrCreateContext from a plain thread always gives the same one). */
    static Context[] eventLoopContexts(Vertx vertx, int loops) throws java.util.concurrent.TimeoutException {
        List<Context> out = java.util.Collections.synchronizedList(new ArrayList<>());
        vertx.deployVerticle(() -> context -> {
            out.add(context);
            return io.vertx.core.Future.succeededFuture();
        }, new io.vertx.core.DeploymentOptions().setInstances(loops)).await(10, TimeUnit.SECONDS);
        return out.toArray(Context[]::new);
    }

    static JsonArray randomSlugs(Random r, int links, int n) {
        JsonArray a = new JsonArray();
        java.util.Set<Integer> picked = new java.util.HashSet<>();
        while (picked.size() < Math.min(n, links)) {
            int i = r.nextInt(links);
            if (picked.add(i)) a.add("lb" + i);
        }
        return a;
    }

    static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
    }

    /** Parses Instant.toString() of a millisecond instant ({@code 2026-11-27T23:04:00.123Z}, or without the fraction) at {@code at}. */
    static long epochMillis(String s, int at) {
        try {
            if (s.charAt(at + 4) != '-' || s.charAt(at + 10) != 'T' || s.charAt(at + 13) != ':') throw new NumberFormatException();
            long y = digits(s, at, 4), mo = digits(s, at + 5, 2), d = digits(s, at + 8, 2);
            long h = digits(s, at + 11, 2), mi = digits(s, at + 14, 2), sec = digits(s, at + 17, 2);
            long ms = 0;
            int i = at + 19;
            if (s.charAt(i) == '.') {
                int scale = 100;
                for (i++; Character.isDigit(s.charAt(i)); i++) {
                    if (scale > 0) ms += (s.charAt(i) - '0') * scale;
                    scale /= 10;
                }
            }
            if (s.charAt(i) != 'Z') throw new NumberFormatException();
            return ((daysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60_000 + sec * 1000 + ms;
        } catch (RuntimeException e) {
            return Instant.parse(s.substring(at, s.indexOf('"', at))).toEpochMilli();
        }
    }

    private static long digits(String s, int at, int n) {
        long v = 0;
        for (int i = at; i < at + n; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') throw new NumberFormatException();
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** Days since 1970-01-01 (H. Hinnant's days_from_civil). */
    private static long daysFromCivil(long y, long m, long d) {
        y -= m <= 2 ? 1 : 0;
        long era = Math.floorDiv(y, 400);
        long yoe = y - era * 400;
        long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
    }

    static long longField(String s, String name) {
        int at = s.indexOf(name);
        if (at < 0) return 0;
        long v = 0;
        for (int i = at + name.length(); i < s.length() && Character.isDigit(s.charAt(i)); i++) v = v * 10 + (s.charAt(i) - '0');
        return v;
    }

    /** p50, p90, p99, p99.9, max in ms of sorted microsecond samples. */
    static double[] percentiles(int[] sorted) {
        if (sorted.length == 0) return new double[] {Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN};
        double[] q = {0.50, 0.90, 0.99, 0.999};
        double[] out = new double[5];
        for (int i = 0; i < 4; i++) out[i] = sorted[(int) Math.min(sorted.length - 1, Math.ceil(q[i] * sorted.length) - 1)] / 1000.0;
        out[4] = sorted[sorted.length - 1] / 1000.0;
        return out;
    }

    static int[] concat(int[] a, int[] b) {
        int[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        Arrays.sort(c);
        return c;
    }

    static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }
}
