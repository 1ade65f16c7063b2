package dev.kurz.live;

import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A subscriber's state: its subscriptions and what waits to be written to it. Confined to the
 * connection's event loop (every method but the constructor runs there).
 *
 * <p>Slow consumers: nothing queues without bound. Aggregated {@code clicks} frames coalesce per
 * link while the socket is behind (counts add up, so nothing is lost); single {@code click}
 * frames are capped per second and, when behind, only the newest {@link #MAX_SINGLES} wait;
 * other frames (links, alerts) wait up to {@link #MAX_OTHER}. A client that stays behind for
 * {@link #MAX_BEHIND_MS} ms, or overflows, is closed with code 4008.
 */
public final class LiveConnection {
    public static final int TOO_SLOW = 4008;
    /** The API key behind the connection was revoked (WebSocket close code; SSE sends it in its close event). */
    public static final int KEY_REVOKED = 4401;
    static final int MAX_SINGLES = 50;
    static final int MAX_OTHER = 200;
    static final long MAX_BEHIND_MS = 10_000;
    static final int SINGLES_PER_SECOND = 20;

    static final int MAX_BATCH_CHARS = 256 * 1024;

    final Transport transport;
    /** Deliveries from the hub not yet run on the loop, and whether the connection waits in its loop's outbox (see LiveHub.deliver). */
    final java.util.concurrent.ConcurrentLinkedQueue<Runnable> incoming = new java.util.concurrent.ConcurrentLinkedQueue<>();
    final java.util.concurrent.atomic.AtomicBoolean queued = new java.util.concurrent.atomic.AtomicBoolean();
    final Set<String> links = new HashSet<>();
    /** The key that authenticated the connection, -1 before; read by the revocation sweep from another thread. */
    private volatile long keyId = -1;
    boolean all;
    /**
     * Clients that ask for it get everything waiting in one message,
     * {@code {"type":"batch","frames":[…]}} with one frame per line: one write (one system call)
     * per tick instead of one per frame, which is what the fan-out to many dashboards costs.
     */
    private boolean batch;
    /** Per link: the summary, and its JSON while it has not been merged with another (encoded once per batch, not per client). */
    private final Map<String, Object[]> pendingClicks = new LinkedHashMap<>();
    private final ArrayDeque<String> pendingSingles = new ArrayDeque<>();
    private final ArrayDeque<String> pendingOther = new ArrayDeque<>();
    private long behindSince = -1;
    private boolean waitingForDrain;
    private boolean closed;
    private double tokens = SINGLES_PER_SECOND;
    private long tokensAt;

    LiveConnection(Transport transport) {
        this.transport = transport;
    }

    void clicks(ClickSummary s, String encoded) {
        Object[] current = pendingClicks.get(s.slug());
        if (current == null) pendingClicks.put(s.slug(), new Object[] {s, encoded});
        else pendingClicks.put(s.slug(), new Object[] {((ClickSummary) current[0]).plus(s), null});
    }

    /**
     * A single-click frame, if the connection's token bucket allows: {@link #SINGLES_PER_SECOND}
     * per second, refilled continuously, so the frames that pass are spread over time rather
     * than the first ones of each second.
     */
    void single(String frame, long nowMillis) {
        tokens = Math.min(SINGLES_PER_SECOND, tokens + (nowMillis - tokensAt) * SINGLES_PER_SECOND / 1000.0);
        tokensAt = nowMillis;
        if (tokens < 1) return; // above the rate, the clicks frames carry it
        tokens -= 1;
        pendingSingles.addLast(frame);
        while (pendingSingles.size() > MAX_SINGLES) pendingSingles.removeFirst();
    }

    /**
     * A tick's frames for an all-links subscriber. Up to date in batch mode (nothing waiting, the
     * socket writable), it writes the tick's shared messages; otherwise the frames go the way of
     * every other connection's ({@link #clicks}, {@link #single}, {@link #flush}).
     */
    void allLinks(SharedBatch b, long nowMillis) {
        if (closed) return;
        if (batch && pendingOther.isEmpty() && pendingClicks.isEmpty() && pendingSingles.isEmpty() && transport.writable()) {
            tokens = Math.min(SINGLES_PER_SECOND, tokens + (nowMillis - tokensAt) * SINGLES_PER_SECOND / 1000.0);
            tokensAt = nowMillis;
            int singles = Math.min(b.singles(), (int) Math.max(0, tokens));
            tokens -= singles;
            // Written whole even if the queue fills on the way: at most one tick more is queued, the next tick coalesces.
            for (String m : b.messages(singles)) transport.write(m);
            behindSince = -1;
            return;
        }
        for (Object item : b.items) {
            if (item instanceof Object[] summary) clicks((ClickSummary) summary[0], (String) summary[1]);
            else single((String) item, nowMillis);
        }
        flush(nowMillis);
    }

    void other(String frame) {
        pendingOther.addLast(frame);
        if (pendingOther.size() > MAX_OTHER) close(TOO_SLOW, "too slow: more than " + MAX_OTHER + " frames waiting");
    }

    /** Remembers the API key the connection authenticated with: when it is revoked, the connection closes. */
    public void authenticatedAs(long keyId) {
        this.keyId = keyId;
    }

    public long keyId() {
        return keyId;
    }

    public void batchFrames(boolean on) {
        this.batch = on;
    }

    private String nextFrame() {
        String next = pendingOther.pollFirst();
        if (next == null && !pendingClicks.isEmpty()) {
            var it = pendingClicks.entrySet().iterator();
            Object[] p = it.next().getValue();
            next = p[1] != null ? (String) p[1] : ((ClickSummary) p[0]).toJson().encode();
            it.remove();
        }
        if (next == null) next = pendingSingles.pollFirst();
        return next;
    }

    /** Writes what is pending while the socket takes it; keeps the rest (coalesced) for later. */
    void flush(long nowMillis) {
        if (closed) return;
        if (batch) {
            flushBatched(nowMillis);
            return;
        }
        while (transport.writable()) {
            String next = nextFrame();
            if (next == null) {
                behindSince = -1;
                return;
            }
            transport.write(next);
        }
        behind(nowMillis);
    }

    private void flushBatched(long nowMillis) {
        while (transport.writable()) {
            String first = nextFrame();
            if (first == null) {
                behindSince = -1;
                return;
            }
            String second = nextFrame();
            if (second == null) {
                transport.write(first);
                continue;
            }
            StringBuilder sb = new StringBuilder(first.length() * 4).append("{\"type\":\"batch\",\"frames\":[\n")
                    .append(first).append(",\n").append(second);
            String next;
            while (sb.length() < MAX_BATCH_CHARS && (next = nextFrame()) != null) sb.append(",\n").append(next);
            transport.write(sb.append("\n]}").toString());
        }
        behind(nowMillis);
    }

    private void behind(long nowMillis) {
        if (behindSince < 0) behindSince = nowMillis;
        if (nowMillis - behindSince > MAX_BEHIND_MS) {
            close(TOO_SLOW, "too slow: behind for more than " + MAX_BEHIND_MS / 1000 + " s");
            return;
        }
        if (!waitingForDrain) {
            waitingForDrain = true;
            transport.onWritable(() -> {
                waitingForDrain = false;
                flush(System.currentTimeMillis());
            });
        }
    }

    public void send(JsonObject frame) {
        if (!closed) transport.write(frame.encode());
    }

    public void close(int code, String reason) {
        if (closed) return;
        closed = true;
        transport.close(code, reason);
    }

    boolean closed() {
        return closed;
    }
}
