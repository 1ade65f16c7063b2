package dev.kurz.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.analytics.EnrichedClick;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LiveHubTest {
    private final long[] now = {1_800_000_000_000L};
    private final LiveHub hub = new LiveHub(() -> Instant.ofEpochMilli(now[0]), Duration.ofMillis(20));

    @AfterEach
    void close() {
        hub.close();
    }

    /** A transport that runs tasks inline and records frames; writability is switchable. */
    static class FakeTransport implements Transport {
        final List<JsonObject> frames = new ArrayList<>();
        boolean writable = true;
        Runnable drain;
        Integer closedWith;

        @Override
        public synchronized void run(Runnable task) {
            task.run();
        }

        @Override
        public boolean writable() {
            return writable && closedWith == null;
        }

        @Override
        public void write(String frame) {
            frames.add(new JsonObject(frame));
        }

        @Override
        public void onWritable(Runnable then) {
            drain = then;
        }

        @Override
        public void close(int code, String reason) {
            closedWith = code;
        }

        synchronized List<JsonObject> ofType(String type) {
            return frames.stream().filter(f -> type.equals(f.getString("type"))).toList();
        }

        synchronized long clicks(String slug) {
            return ofType("clicks").stream().filter(f -> slug.equals(f.getString("slug"))).mapToLong(f -> f.getLong("clicks")).sum();
        }
    }

    private static EnrichedClick click(String slug, boolean bot, String country) {
        return new EnrichedClick(1, slug, 1_800_000_000_000L, 7, bot, false, false, country, "Chrome", "Windows",
                bot ? "bot" : "desktop", "google.com", null, "UA");
    }

    private static void await(java.util.function.BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (!cond.getAsBoolean() && System.nanoTime() < deadline) Thread.sleep(5);
        assertThat(cond.getAsBoolean()).isTrue();
    }

    private static java.util.Map<String, Long> counts(JsonObject frame, String breakdown) {
        java.util.Map<String, Long> out = new java.util.HashMap<>();
        frame.getJsonObject(breakdown).forEach(e -> out.put(e.getKey(), ((Number) e.getValue()).longValue()));
        return out;
    }

    @Test
    void clicksFrame_carriesEveryBreakdownOfTheStats_summingToItsClicks() throws Exception {
        FakeTransport t = new FakeTransport();
        LiveConnection c = hub.connect(t);
        hub.subscribe(c, List.of(), true);
        hub.onClicks(List.of(click("s", false, "DE"), click("s", false, "DE"), click("s", true, null),
                new EnrichedClick(1, "s", now[0], 8, false, false, false, "", null, null, null, null, null, null)));
        await(() -> t.clicks("s") == 4);
        JsonObject f = t.ofType("clicks").get(0);
        assertThat(f.getLong("humanClicks")).isEqualTo(3);
        assertThat(counts(f, "countries")).containsOnly(java.util.Map.entry("DE", 2L), java.util.Map.entry("unknown", 2L));
        assertThat(counts(f, "referrers")).containsOnly(java.util.Map.entry("google.com", 3L), java.util.Map.entry("direct", 1L));
        assertThat(counts(f, "browsers")).containsOnly(java.util.Map.entry("Chrome", 3L), java.util.Map.entry("unknown", 1L));
        assertThat(counts(f, "os")).containsOnly(java.util.Map.entry("Windows", 3L), java.util.Map.entry("unknown", 1L));
        assertThat(counts(f, "devices"))
                .containsOnly(java.util.Map.entry("desktop", 2L), java.util.Map.entry("bot", 1L), java.util.Map.entry("unknown", 1L));
        assertThat(ClickSummary.fromJson(f).toJson()).isEqualTo(f);
        assertThat(f.containsKey("targets")).as("a plain link's frame names no targets").isFalse();
    }

    @Test
    void clicksFrame_ofASmartLink_countsWhatEachClickWasSentTo() throws Exception {
        FakeTransport t = new FakeTransport();
        LiveConnection c = hub.connect(t);
        hub.subscribe(c, List.of(), true);
        EnrichedClick plain = click("s", false, "DE");
        hub.onClicks(List.of(new EnrichedClick(1, "s", now[0], true, plain.visit(), "rule:0"),
                new EnrichedClick(1, "s", now[0], true, plain.visit(), "variant:1"),
                new EnrichedClick(1, "s", now[0], true, plain.visit(), "rule:0")));
        await(() -> t.clicks("s") == 3);
        JsonObject f = t.ofType("clicks").get(0);
        assertThat(counts(f, "targets")).containsOnly(java.util.Map.entry("rule:0", 2L), java.util.Map.entry("variant:1", 1L));
        // Relayed to other nodes and back, as is.
        assertThat(ClickSummary.fromJson(f).toJson()).isEqualTo(f);
    }

    @Test
    void subscribe_deliversOnlyTheRoomsOfTheConnection() throws Exception {
        FakeTransport a = new FakeTransport();
        FakeTransport b = new FakeTransport();
        FakeTransport all = new FakeTransport();
        hub.subscribe(hub.connect(a), List.of("x"), false);
        hub.subscribe(hub.connect(b), List.of("y"), false);
        hub.subscribe(hub.connect(all), List.of(), true);
        hub.onClicks(List.of(click("x", false, "US"), click("x", true, "DE"), click("y", false, "US")));
        await(() -> all.clicks("x") == 2 && all.clicks("y") == 1);
        await(() -> a.clicks("x") == 2);
        JsonObject f = a.ofType("clicks").get(0);
        assertThat(f.getLong("humanClicks")).isEqualTo(1);
        assertThat(f.getJsonObject("countries").getLong("US")).isEqualTo(1);
        assertThat(f.getJsonObject("referrers").getLong("google.com")).isEqualTo(2);
        assertThat(a.clicks("y")).isZero();
        assertThat(b.clicks("x")).isZero();
        assertThat(a.ofType("click")).hasSize(2);
    }

    @Test
    void unsubscribe_andDisconnect_stopDelivery() throws Exception {
        FakeTransport a = new FakeTransport();
        LiveConnection c = hub.connect(a);
        hub.subscribe(c, List.of("x"), false);
        hub.unsubscribe(c, List.of("x"), false);
        FakeTransport witness = new FakeTransport();
        hub.subscribe(hub.connect(witness), List.of("x"), false);
        hub.onClicks(List.of(click("x", false, "US")));
        await(() -> witness.clicks("x") == 1);
        assertThat(a.frames).isEmpty();
        assertThat(hub.rooms()).isEqualTo(1);
        hub.disconnect(c);
        assertThat(hub.connections()).isEqualTo(1);
    }

    @Test
    void slowConsumer_coalescesClicksPerLink_thenGetsTheSum() throws Exception {
        FakeTransport slow = new FakeTransport();
        slow.writable = false;
        hub.subscribe(hub.connect(slow), List.of("x"), false);
        for (int i = 0; i < 5; i++) {
            hub.onClicks(List.of(click("x", false, "US"), click("x", false, "FR")));
            Thread.sleep(40); // several ticks
        }
        assertThat(slow.frames).isEmpty();
        slow.writable = true;
        slow.drain.run();
        assertThat(slow.ofType("clicks")).hasSize(1); // one coalesced frame, not one per tick
        assertThat(slow.clicks("x")).isEqualTo(10);
        assertThat(slow.ofType("click").size()).isLessThanOrEqualTo(LiveConnection.MAX_SINGLES);
    }

    @Test
    void slowConsumer_behindForTooLong_isClosedWith4008() throws Exception {
        FakeTransport slow = new FakeTransport();
        slow.writable = false;
        hub.subscribe(hub.connect(slow), List.of("x"), false);
        hub.onClicks(List.of(click("x", false, "US")));
        Thread.sleep(60);
        now[0] += LiveConnection.MAX_BEHIND_MS + 1;
        hub.onClicks(List.of(click("x", false, "US")));
        await(() -> slow.closedWith != null);
        assertThat(slow.closedWith).isEqualTo(LiveConnection.TOO_SLOW);
    }

    @Test
    void singleClickFrames_areCappedPerSecond() throws Exception {
        FakeTransport t = new FakeTransport();
        hub.subscribe(hub.connect(t), List.of("x"), false);
        List<EnrichedClick> many = new ArrayList<>();
        for (int i = 0; i < 100; i++) many.add(click("x", false, "US"));
        hub.onClicks(many);
        await(() -> t.clicks("x") == 100);
        assertThat(t.ofType("click")).hasSize(LiveConnection.SINGLES_PER_SECOND);
    }

    @Test
    void batchMode_writesEverythingWaitingAsOneMessage() throws Exception {
        FakeTransport slow = new FakeTransport();
        slow.writable = false;
        LiveConnection c = hub.connect(slow);
        c.batchFrames(true);
        hub.subscribe(c, List.of("x", "y"), false);
        hub.onClicks(List.of(click("x", false, "US"), click("y", false, "DE")));
        Thread.sleep(60);
        slow.writable = true;
        slow.drain.run();
        assertThat(slow.frames).hasSize(1);
        JsonObject batch = slow.frames.get(0);
        assertThat(batch.getString("type")).isEqualTo("batch");
        assertThat(batch.getJsonArray("frames").stream().map(f -> ((JsonObject) f).getString("type")))
                .contains("clicks", "click");
        assertThat(batch.getJsonArray("frames").size()).isEqualTo(4); // two summaries, two single clicks
    }

    @Test
    void remoteBatches_areDelivered_ownAreIgnored() throws Exception {
        FakeTransport t = new FakeTransport();
        hub.subscribe(hub.connect(t), List.of("x"), false);
        List<JsonObject> published = new ArrayList<>();
        hub.relay(published::add);
        hub.onClicks(List.of(click("x", false, "US")));
        await(() -> !published.isEmpty());
        JsonObject mine = published.get(0);
        hub.deliverRemote(mine); // its own message comes back from Redis: ignored
        JsonObject remote = mine.copy().put("node", "other-node");
        hub.deliverRemote(remote);
        await(() -> t.clicks("x") == 2);
        Thread.sleep(50);
        assertThat(t.clicks("x")).isEqualTo(2);
    }

    @Test
    void linkAndAlertFrames_reachTheRoomAndAllLinks() throws Exception {
        FakeTransport room = new FakeTransport();
        FakeTransport other = new FakeTransport();
        FakeTransport all = new FakeTransport();
        hub.subscribe(hub.connect(room), List.of("x"), false);
        hub.subscribe(hub.connect(other), List.of("y"), false);
        hub.subscribe(hub.connect(all), List.of(), true);
        hub.onLink("updated", "x", new JsonObject().put("slug", "x"));
        assertThat(room.ofType("link")).hasSize(1);
        assertThat(all.ofType("link").get(0).getString("op")).isEqualTo("updated");
        assertThat(other.frames).isEmpty();
    }

    /** Connections on one event loop whose every write takes 0.3 ms of a hand-moved clock; tasks after I/O wait in a list. */
    static class OnLoop extends FakeTransport {
        final Object loop;
        final java.util.concurrent.atomic.AtomicLong nanos;
        final List<Runnable> afterIo;

        OnLoop(Object loop, java.util.concurrent.atomic.AtomicLong nanos, List<Runnable> afterIo) {
            this.loop = loop;
            this.nanos = nanos;
            this.afterIo = afterIo;
        }

        @Override
        public Object loop() {
            return loop;
        }

        @Override
        public void runAfterIo(Runnable task) {
            afterIo.add(task);
        }

        @Override
        public void write(String frame) {
            nanos.addAndGet(300_000);
            super.write(frame);
        }
    }

    @Test
    void delivery_toTheConnectionsOfOneLoop_yieldsToItsIoOnceASliceIsSpent() throws Exception {
        java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
        List<Runnable> afterIo = java.util.Collections.synchronizedList(new ArrayList<>());
        Object loop = new Object();
        LiveHub sliced = new LiveHub(() -> Instant.ofEpochMilli(now[0]), Duration.ofMillis(20), nanos::get, Duration.ofMillis(1));
        try {
            List<OnLoop> dashboards = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                OnLoop t = new OnLoop(loop, nanos, afterIo);
                sliced.subscribe(sliced.connect(t), List.of(), true);
                dashboards.add(t);
            }
            sliced.onClicks(List.of(click("x", false, "US")));
            // Each dashboard gets a clicks and a click frame: two writes, 0.6 ms; the second dashboard ends the 1 ms slice.
            await(() -> afterIo.size() == 1);
            assertThat(dashboards.stream().filter(t -> t.clicks("x") == 1).count()).isEqualTo(2);
            afterIo.remove(0).run();
            assertThat(dashboards.stream().filter(t -> t.clicks("x") == 1).count()).isEqualTo(4);
            assertThat(afterIo).hasSize(1);
            afterIo.remove(0).run();
            assertThat(dashboards).allSatisfy(t -> assertThat(t.ofType("click")).hasSize(1));
            assertThat(afterIo).isEmpty();
        } finally {
            sliced.close();
        }
    }

    @Test
    void delivery_toAConnectionInItsLinksRoomAndAllLinks_isMadeOnce() throws Exception {
        FakeTransport both = new FakeTransport();
        LiveConnection c = hub.connect(both);
        hub.subscribe(c, List.of("x"), true);
        hub.onClicks(List.of(click("x", false, "US")));
        await(() -> both.clicks("x") >= 1);
        Thread.sleep(60);
        assertThat(both.clicks("x")).isEqualTo(1);
        assertThat(both.ofType("click")).hasSize(1);
    }

    @Test
    void allLinksBatch_upToDate_getsTheTicksSharedMessage_behind_coalescesAsBefore() throws Exception {
        FakeTransport a = new FakeTransport();
        FakeTransport b = new FakeTransport();
        LiveConnection ca = hub.connect(a);
        LiveConnection cb = hub.connect(b);
        ca.batchFrames(true);
        cb.batchFrames(true);
        hub.subscribe(ca, List.of(), true);
        hub.subscribe(cb, List.of(), true);
        hub.onClicks(List.of(click("x", false, "US"), click("x", false, "DE"), click("y", false, "US")));
        await(() -> !a.frames.isEmpty() && !b.frames.isEmpty());
        JsonObject message = a.frames.get(0);
        assertThat(message.getString("type")).isEqualTo("batch");
        assertThat(message.getJsonArray("frames").stream().map(f -> ((JsonObject) f).getString("type")).toList())
                .containsExactly("clicks", "clicks", "click", "click", "click");
        assertThat(b.frames).containsExactly(message);

        b.writable = false;
        hub.onClicks(List.of(click("x", false, "US")));
        await(() -> a.frames.size() == 2);
        hub.onClicks(List.of(click("x", false, "US")));
        await(() -> a.frames.size() == 3);
        assertThat(b.frames).hasSize(1);
        b.writable = true;
        b.drain.run();
        JsonObject caughtUp = b.frames.get(1);
        List<JsonObject> frames = caughtUp.getJsonArray("frames").stream().map(f -> (JsonObject) f).toList();
        // The two ticks' summaries of x add up in one frame; both single clicks wait.
        assertThat(frames.stream().filter(f -> f.getString("type").equals("clicks")).toList())
                .singleElement().satisfies(f -> assertThat(f.getLong("clicks")).isEqualTo(2));
        assertThat(frames.stream().filter(f -> f.getString("type").equals("click"))).hasSize(2);
    }

    @Test
    void delivery_toALoopThatIsBusy_coalescesTheTicksWaitingForIt() throws Exception {
        java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
        List<Runnable> posted = java.util.Collections.synchronizedList(new ArrayList<>());
        LiveHub sliced = new LiveHub(() -> Instant.ofEpochMilli(now[0]), Duration.ofMillis(20), nanos::get, Duration.ofMillis(10));
        try {
            OnLoop t = new OnLoop(new Object(), nanos, new ArrayList<>()) {
                @Override
                public void run(Runnable task) {
                    posted.add(task); // the loop is busy: nothing runs until the test says so
                }
            };
            LiveConnection c = sliced.connect(t);
            sliced.subscribe(c, List.of("x"), false);
            sliced.onClicks(List.of(click("x", false, "US")));
            await(() -> c.incoming.size() == 1);
            sliced.onClicks(List.of(click("x", false, "DE")));
            await(() -> c.incoming.size() == 2);
            assertThat(posted).hasSize(1);
            posted.remove(0).run();
            assertThat(t.ofType("clicks")).singleElement().satisfies(f -> assertThat(f.getLong("clicks")).isEqualTo(2));
            assertThat(t.ofType("click")).hasSize(2);
        } finally {
            sliced.close();
        }
    }
}
