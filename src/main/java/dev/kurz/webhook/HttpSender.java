package dev.kurz.webhook;

import dev.kurz.abuse.PrivateAddresses;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Webhook POSTs over Vert.x's HTTP client. The receiver's name is resolved here, every address is
 * checked (a public name that now resolves to a private address, DNS rebinding, is refused), and
 * the connection goes to the address checked, with the name kept for Host and TLS (SNI, certificate).
 * The look-up and the request share the one deadline.
 */
public final class HttpSender implements Sender, AutoCloseable {
    static final String USER_AGENT = "Kurz-Webhooks/1 (+https://github.com/kurz/kurz)";
    private final HttpClient client;
    private final boolean allowPrivate;
    private final Executor lookups;

    public HttpSender(Vertx vertx, boolean allowPrivate, Executor lookups) {
        this.client = vertx.createHttpClient(new HttpClientOptions().setForceSni(true).setVerifyHost(true).setKeepAlive(true)
                .setMaxRedirects(0), new PoolOptions().setHttp1MaxSize(16));
        this.allowPrivate = allowPrivate;
        this.lookups = lookups;
    }

    @Override
    public int post(URI url, Map<String, String> headers, String body, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean tls = "https".equalsIgnoreCase(url.getScheme());
        int port = url.getPort() > 0 ? url.getPort() : tls ? 443 : 80;
        String host = url.getHost();
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] addresses = CompletableFuture.supplyAsync(() -> {
            try {
                return InetAddress.getAllByName(bare);
            } catch (java.net.UnknownHostException e) {
                throw new java.util.concurrent.CompletionException(new java.net.UnknownHostException("cannot resolve " + bare));
            }
        }, lookups).get(remaining(deadline), TimeUnit.MILLISECONDS);
        if (!allowPrivate) {
            for (InetAddress a : addresses) {
                String why = PrivateAddresses.why(a);
                if (why != null) throw new RefusedException(bare + " resolves to " + a.getHostAddress() + ", and " + why
                        + " (KURZ_WEBHOOK_ALLOW_PRIVATE=true allows it)");
            }
        }
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        if (url.getRawQuery() != null) path += "?" + url.getRawQuery();
        long left = remaining(deadline);
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
                .setServer(SocketAddress.inetSocketAddress(port, addresses[0].getHostAddress()))
                .setHost(bare).setPort(port).setSsl(tls).setURI(path)
                .setConnectTimeout(left).setIdleTimeout(left).setFollowRedirects(false);
        headers.forEach(options::putHeader);
        options.putHeader("User-Agent", USER_AGENT);
        AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
        var f = client.request(options).compose(req -> {
            sent.set(req);
            return req.send(Buffer.buffer(body));
        }).compose(resp -> resp.body().map(ignored -> resp.statusCode()));
        try {
            return f.toCompletionStage().toCompletableFuture().get(remaining(deadline), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            HttpClientRequest req = sent.get();
            if (req != null) req.reset();
            throw new TimeoutException("no answer within " + timeout.toMillis() + " ms");
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }
    }

    private static long remaining(long deadlineNanos) throws TimeoutException {
        long ms = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        if (ms <= 0) throw new TimeoutException("deadline passed");
        return ms;
    }

    /** The receiver may not be called (a private address). */
    public static final class RefusedException extends Exception {
        RefusedException(String message) {
            super(message);
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
