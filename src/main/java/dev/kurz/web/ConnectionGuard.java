package dev.kurz.web;

import dev.kurz.analytics.TrustedProxies;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.impl.ConnectionBase;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every HTTP/1.x connection gets before its first byte is read:
 * <ul>
 * <li>the {@link StrictRequestDecoder} in place of Vert.x's own (400 and close on ambiguous framing);
 * <li>a read deadline, kept by the decoder: once the first byte of a request arrives, its head must
 * be complete within the timeout, and then its body within the timeout again; a slow client
 * (slowloris, slow POST) gets 408 and is closed. Idle keep-alive connections are the idle
 * timeout's business;
 * <li>a cap on open connections per client address, so one address cannot take every file
 * descriptor. Trusted proxies are exempt (all their clients share their address).
 * </ul>
 * Vert.x offers no public hook into its Netty pipeline; this uses {@link ConnectionBase#channel()}
 * and the pipeline name {@code httpDecoder}, both stable through Vert.x 5. Where they are missing
 * (HTTP/2, a future Vert.x), only the per-address cap applies and a warning is logged once.
 */
final class ConnectionGuard {
    private static final Logger log = LoggerFactory.getLogger(ConnectionGuard.class);
    private static final String DECODER = "httpDecoder";
    private static volatile boolean warned;

    private final HttpServerOptions options;
    private final int readTimeoutSeconds;
    private final int maxPerAddress;
    private final TrustedProxies proxies;
    private final ConcurrentHashMap<String, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    private final java.util.function.BooleanSupplier closing;

    /** @param maxPerAddress open connections allowed per client address; 0 for no cap */
    ConnectionGuard(HttpServerOptions options, Duration readTimeout, int maxPerAddress, TrustedProxies proxies) {
        this(options, readTimeout, maxPerAddress, proxies, () -> false);
    }

    /** @param closing true while the node drains for shutdown (see {@link StrictRequestDecoder}) */
    ConnectionGuard(HttpServerOptions options, Duration readTimeout, int maxPerAddress, TrustedProxies proxies,
                    java.util.function.BooleanSupplier closing) {
        this.closing = closing;
        this.options = options;
        this.readTimeoutSeconds = (int) Math.max(1, readTimeout.toSeconds());
        this.maxPerAddress = maxPerAddress;
        this.proxies = proxies;
    }

    void install(HttpConnection conn) {
        Channel channel = conn instanceof ConnectionBase base ? base.channel() : null;
        if (channel == null) {
            warnOnce("no Netty channel behind " + conn.getClass().getName());
            return;
        }
        if (!admit(channel)) return;
        ChannelPipeline pipeline = channel.pipeline();
        if (!(conn instanceof io.vertx.core.http.impl.Http1xServerConnection) || pipeline.get(DECODER) == null
                || pipeline.get(DECODER).getClass() != io.vertx.core.http.impl.VertxHttpRequestDecoder.class) {
            // HTTP/2 has its own framing. Anything else means Vert.x changed how it builds connections.
            if (!(conn instanceof io.vertx.core.http.impl.Http2ServerConnection)) warnOnce("unexpected pipeline " + pipeline.names());
            return;
        }
        StrictRequestDecoder decoder = new StrictRequestDecoder(options, readTimeoutSeconds, closing);
        pipeline.replace(DECODER, DECODER, decoder);
        ScheduledFuture<?> tick = channel.eventLoop().scheduleAtFixedRate(() -> decoder.tick(channel), 1, 1, TimeUnit.SECONDS);
        channel.closeFuture().addListener(f -> tick.cancel(false));
    }

    /** Counts the connection against its address; closes it at once when the address is over its cap. */
    private boolean admit(Channel channel) {
        if (maxPerAddress <= 0 || !(channel.remoteAddress() instanceof InetSocketAddress isa) || isa.getAddress() == null) return true;
        String address = isa.getAddress().getHostAddress();
        if (proxies.trusted(address)) return true;
        AtomicInteger open = perAddress.computeIfAbsent(address, a -> new AtomicInteger());
        if (open.incrementAndGet() > maxPerAddress) {
            release(address, open);
            channel.close();
            return false;
        }
        channel.closeFuture().addListener(f -> release(address, open));
        return true;
    }

    private void release(String address, AtomicInteger open) {
        if (open.decrementAndGet() <= 0) perAddress.remove(address, open);
    }

    /** Open connections from this address now (tests and metrics). */
    int open(String address) {
        AtomicInteger n = perAddress.get(address);
        return n == null ? 0 : n.get();
    }

    private static void warnOnce(String why) {
        if (warned) return;
        warned = true;
        log.warn("HTTP read deadlines and strict framing are off: {}", why);
    }

}
