package dev.kurz.web;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import java.util.List;

/**
 * Vert.x's HTTP/1.x request decoder with RFC 9112's framing rules enforced. A request that could be
 * read two ways by two servers in a chain (request smuggling) is marked as failed, so Vert.x answers
 * 400 with {@code Connection: close} before any handler sees it:
 * <ul>
 * <li>both {@code Content-Length} and {@code Transfer-Encoding} (Netty would drop the length and go on);
 * <li>a {@code Transfer-Encoding} other than one {@code chunked} (unknown codings, several headers);
 * <li>no {@code Host} on HTTP/1.1, or more than one {@code Host};
 * <li>control characters (NUL, DEL, …) or spaces in the request target;
 * <li>an HTTP version other than 1.x (Vert.x would answer 501, a server error, for the client's mistake).
 * </ul>
 * It also keeps the connection's read deadline (see {@link #tick}). Installed per connection by
 * {@link ConnectionGuard}; the checks are a scan of the target and a few header lookups, cheap
 * enough for the redirect path.
 */
final class StrictRequestDecoder extends VertxHttpRequestDecoder {
    private static final byte[] TIMEOUT_RESPONSE = ("HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + "Connection: close\r\nContent-Length: 43\r\nX-Content-Type-Options: nosniff\r\n\r\n"
            + "The request was not received in time. Bye.\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final int IDLE = 0, HEAD = 1, BODY = 2;

    private final int readTimeoutSeconds;
    private final java.util.function.BooleanSupplier closing;
    // The read deadline's state, touched only on the connection's event loop. Kept here rather than
    // in handlers of their own before and after the decoder: two fewer pipeline hops per message
    // (a same-session A/B did not resolve a difference either way; docs/BENCHMARKS.md).
    private int state = IDLE;
    private int seconds;
    private ChannelHandlerContext context;

    /** Framing checks only: no read deadline, never closing (tests). */
    StrictRequestDecoder(HttpServerOptions options) {
        this(options, Integer.MAX_VALUE, () -> false);
    }

    /**
     * @param readTimeoutSeconds how long a request's head, then its body, may take to arrive
     * @param closing true while the node drains for shutdown: each request is then read as if it
     *                said {@code Connection: close}, so Vert.x answers with that header and closes
     *                the connection after the answer, and the client reconnects (to another node)
     */
    StrictRequestDecoder(HttpServerOptions options, int readTimeoutSeconds, java.util.function.BooleanSupplier closing) {
        super(options);
        this.readTimeoutSeconds = readTimeoutSeconds;
        this.closing = closing;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        context = ctx;
        super.handlerAdded(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (state == IDLE && msg instanceof ByteBuf b && b.isReadable()) {
            state = HEAD;
            seconds = 0;
        }
        super.channelRead(ctx, msg);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        int before = out.size();
        super.decode(ctx, in, out);
        for (int i = before, n = out.size(); i < n; i++) {
            Object o = out.get(i);
            if (o instanceof io.netty.handler.codec.http.HttpRequest r) {
                state = BODY;
                seconds = 0;
                if (closing.getAsBoolean()) r.headers().set(HttpHeaderNames.CONNECTION, io.netty.handler.codec.http.HttpHeaderValues.CLOSE);
            }
            if (o instanceof io.netty.handler.codec.http.LastHttpContent) state = IDLE;
        }
    }

    /**
     * Once a second: a request whose head (then body) has taken longer than the timeout gets 408
     * and the connection is closed. A slow head gets the 408 written below the HTTP encoder (no
     * response has started); mid-body the response side belongs to Vert.x, so it is just closed.
     */
    void tick(Channel channel) {
        if (context == null || context.isRemoved()) return; // upgraded to a WebSocket: frames, not requests
        if (state == IDLE || ++seconds < readTimeoutSeconds) return;
        if (state == HEAD) {
            context.writeAndFlush(Unpooled.wrappedBuffer(TIMEOUT_RESPONSE)).addListener(f -> channel.close());
        } else {
            channel.close();
        }
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage message) {
        // Called once the headers are read, before the body is framed: the one place to judge them
        // (a result set when the message is created does not survive to here).
        if (message.decoderResult().isSuccess()) {
            String problem = framingProblem(message);
            if (problem != null) reject(message, problem);
        }
        return super.isContentAlwaysEmpty(message);
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
        reject(message, "both Content-Length and Transfer-Encoding are present");
        super.handleTransferEncodingChunkedWithContentLength(message);
    }

    static boolean validTarget(String target) {
        for (int i = 0, n = target.length(); i < n; i++) {
            char c = target.charAt(i);
            if (c <= 0x20 || c == 0x7f) return false;
        }
        return !target.isEmpty();
    }

    /**
     * An RFC 3986 host (reg-name, IPv4 or IP-literal) with an optional port, as Vert.x's own parser
     * reads it: what it cannot parse would fail later, in the router, as a 500.
     */
    static boolean validHost(String host) {
        return !host.isEmpty() && host.length() <= 255 && io.vertx.core.net.HostAndPort.parseAuthority(host, -1) != null;
    }

    static String framingProblem(HttpMessage message) {
        if (message instanceof io.netty.handler.codec.http.HttpRequest r && !validTarget(r.uri())) {
            return "the request target contains control characters or spaces";
        }
        if (message.protocolVersion().majorVersion() != 1) return "only HTTP/1.0 and HTTP/1.1 are spoken here";
        HttpHeaders h = message.headers();
        if (h.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            List<String> te = h.getAll(HttpHeaderNames.TRANSFER_ENCODING);
            if (te.size() != 1 || !te.get(0).strip().equalsIgnoreCase("chunked")) {
                return "Transfer-Encoding must be a single 'chunked'";
            }
        }
        List<String> hosts = h.getAll(HttpHeaderNames.HOST);
        if (hosts.isEmpty()) return message.protocolVersion() == HttpVersion.HTTP_1_1 ? "the Host header is missing" : null;
        if (hosts.size() != 1) return "more than one Host header";
        if (!validHost(hosts.get(0))) return "the Host header is not a host name or address with an optional port";
        return null;
    }

    private static void reject(HttpMessage message, String why) {
        if (message.decoderResult().isSuccess()) message.setDecoderResult(DecoderResult.failure(new BadFraming(why)));
    }

    /** Why a request was refused before routing; never thrown, only carried in the decoder result. */
    static final class BadFraming extends IllegalArgumentException {
        BadFraming(String message) {
            super(message, null);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }
}
