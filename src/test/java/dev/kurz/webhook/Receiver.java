package dev.kurz.webhook;

import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A real webhook receiver on loopback that checks every request as the Standard Webhooks
 * libraries do (HMAC-SHA256 over {@code id.timestamp.body} with the base64-decoded secret, any of
 * the space-separated {@code v1,} signatures, a timestamp within 5 minutes), and answers as told:
 * {@link #answer} maps the n-th request (from 1) to a status, or to {@link #HANG} to answer after
 * {@link #hangMillis}. {@link #stop()} and {@link #start()} take it down and up on the same port.
 */
public final class Receiver implements AutoCloseable {
    static final int HANG = -1;

    /** One request as it arrived; {@code acknowledged} when it was answered 2xx. */
    public record Received(int n, String id, String timestamp, String signature, String requestId, JsonObject body, boolean verified,
                    boolean acknowledged) {}

    final List<Received> all = new CopyOnWriteArrayList<>();
    private final AtomicInteger count = new AtomicInteger();
    /** Requests that arrived, answered or not. */
    final AtomicInteger started = new AtomicInteger();
    public volatile String secret;
    volatile IntUnaryOperator answer = n -> 204;
    volatile long hangMillis = 2000;
    private final int port;
    private HttpServer server;

    public Receiver() {
        this(0);
    }

    Receiver(int port) {
        this.port = start(port);
    }

    private int start(int p) {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", p), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", ex -> {
            byte[] raw = ex.getRequestBody().readAllBytes();
            String body = new String(raw, StandardCharsets.UTF_8);
            String id = ex.getRequestHeaders().getFirst("webhook-id");
            String ts = ex.getRequestHeaders().getFirst("webhook-timestamp");
            String sig = ex.getRequestHeaders().getFirst("webhook-signature");
            int n = count.incrementAndGet();
            started.incrementAndGet();
            int status = answer.applyAsInt(n);
            if (status == HANG) {
                try {
                    Thread.sleep(hangMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                status = 204;
            }
            boolean ok = verify(secret, id, ts, sig, body);
            JsonObject json;
            try {
                json = new JsonObject(body);
            } catch (RuntimeException e) {
                json = new JsonObject().put("unparsable", body);
            }
            Received r = new Received(n, id, ts, sig, ex.getRequestHeaders().getFirst("X-Request-Id"), json, ok, false);
            try {
                ex.sendResponseHeaders(status, -1);
                ex.close();
                all.add(new Received(r.n(), r.id(), r.timestamp(), r.signature(), r.requestId(), r.body(), r.verified(), status / 100 == 2));
            } catch (IOException e) {
                all.add(r); // the sender gave up (timeout): not acknowledged
            }
        });
        server.start();
        return server.getAddress().getPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port + "/hook";
    }

    int port() {
        return port;
    }

    public void stop() {
        server.stop(0);
    }

    public void start() {
        start(port);
    }

    /** The requests answered 2xx, in arrival order. */
    public List<Received> acknowledged() {
        List<Received> out = new ArrayList<>();
        for (Received r : all) if (r.acknowledged()) out.add(r);
        out.sort(java.util.Comparator.comparingInt(Received::n));
        return out;
    }

    /** The Standard Webhooks check, written from the specification (not Kurz's signer). */
    static boolean verify(String secret, String id, String timestamp, String signatures, String body) {
        if (secret == null || id == null || timestamp == null || signatures == null) return false;
        long ts = Long.parseLong(timestamp);
        if (Math.abs(System.currentTimeMillis() / 1000 - ts) > 300) return false;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
            byte[] expected = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
            for (String s : signatures.split(" ")) {
                String[] parts = s.split(",", 2);
                if (parts.length == 2 && parts[0].equals("v1")
                        && MessageDigest.isEqual(expected, Base64.getDecoder().decode(parts[1]))) {
                    return true;
                }
            }
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
