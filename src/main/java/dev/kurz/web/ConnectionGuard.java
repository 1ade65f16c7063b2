package dev.kurz.web;

import dev.kurz.analytics.TrustedProxies;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.impl.ConnectionBase;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
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
 * <li>a read deadline: once the first byte of a request arrives, its head must be complete within
 * the timeout, and then its body within the timeout again; a slow client (slowloris, slow POST)
 * gets 408 and is closed. Idle keep-alive connections are the idle timeout's business;
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
    private static final byte[] TIMEOUT_RESPONSE = ("HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + "Connection: close\r\nContent-Length: 43\r\nX-Content-Type-Options: nosniff\r\n\r\n"
            + "The request was not received in time. Bye.\n").getBytes(StandardCharsets.US_ASCII);
    private static volatile boolean warned;

    private final HttpServerOptions options;
    private final int readTimeoutSeconds;
    private final int maxPerAddress;
    private final TrustedProxies proxies;
    private final ConcurrentHashMap<String, AtomicInteger> perAddress = new ConcurrentHashMap<>();

    /** @param maxPerAddress open connections allowed per client address; 0 for no cap */
    ConnectionGuard(HttpServerOptions options, Duration readTimeout, int maxPerAddress, TrustedProxies proxies) {
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
        pipeline.replace(DECODER, DECODER, new StrictRequestDecoder(options));
        Deadline deadline = new Deadline(readTimeoutSeconds, pipeline.context(DECODER));
        pipeline.addBefore(DECODER, "kurz-read-start", deadline.start);
        pipeline.addAfter(DECODER, "kurz-read-progress", deadline.progress);
        ScheduledFuture<?> tick = channel.eventLoop().scheduleAtFixedRate(() -> deadline.tick(channel), 1, 1, TimeUnit.SECONDS);
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

    /**
     * One connection's read state, touched only on its event loop. {@code start} sees bytes before
     * the decoder, {@code progress} the decoded parts after it; {@link #tick} runs once a second.
     */
    private static final class Deadline {
        private static final int IDLE = 0, HEAD = 1, BODY = 2;
        private final int limit;
        private final ChannelHandlerContext decoder;
        private int state = IDLE;
        private int seconds;
        private ChannelHandlerContext head;

        final ChannelInboundHandlerAdapter start = new ChannelInboundHandlerAdapter() {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                head = ctx;
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (state == IDLE && msg instanceof ByteBuf b && b.isReadable()) {
                    state = HEAD;
                    seconds = 0;
                }
                ctx.fireChannelRead(msg);
            }
        };

        final ChannelInboundHandlerAdapter progress = new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof HttpRequest) {
                    state = BODY;
                    seconds = 0;
                }
                if (msg instanceof LastHttpContent) state = IDLE;
                ctx.fireChannelRead(msg);
            }
        };

        Deadline(int limit, ChannelHandlerContext decoder) {
            this.limit = limit;
            this.decoder = decoder;
        }

        void tick(Channel channel) {
            if (decoder.isRemoved()) {
                // Upgraded to a WebSocket: frames are not requests, and the socket has its own pings.
                state = IDLE;
                return;
            }
            if (state == IDLE || ++seconds < limit) return;
            if (state == HEAD) {
                // Written below the HTTP encoder: no response has started on this connection.
                head.writeAndFlush(Unpooled.wrappedBuffer(TIMEOUT_RESPONSE)).addListener(f -> channel.close());
            } else {
                channel.close(); // mid-body: the response side belongs to Vert.x, so just hang up
            }
        }
    }
}
