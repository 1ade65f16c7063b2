package dev.kurz.linkcheck;

import dev.kurz.abuse.PrivateAddresses;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * One check of a destination: HEAD, then GET when HEAD is refused (405, 501), redirects followed
 * up to 5, each request within the timeout, with an honest User-Agent. Blocking (a virtual thread).
 */
public class Prober {
    static final int MAX_REDIRECTS = 5;
    private final HttpClient client;
    private final Duration timeout;
    private final String userAgent;
    private final boolean allowPrivate;
    private final InstantSource clock;

    public Prober(Duration timeout, String baseUrl, boolean allowPrivate, InstantSource clock) {
        this.client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(timeout).build();
        this.timeout = timeout;
        this.userAgent = "Kurz-LinkCheck/1 (checks that short links still lead somewhere; +" + baseUrl + ")";
        this.allowPrivate = allowPrivate;
        this.clock = clock;
    }

    public LinkHealth check(String url) {
        URI at;
        try {
            at = URI.create(url);
        } catch (IllegalArgumentException e) {
            return broken(null, "not a valid URL");
        }
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            if (!allowPrivate) {
                String why = privateAddress(at);
                if (why != null) return new LinkHealth(LinkHealth.Status.UNKNOWN, null, "not checked: " + why, clock.instant());
            }
            int status;
            String location;
            try {
                HttpResponse<Void> r = send(at, "HEAD");
                if (r.statusCode() == 405 || r.statusCode() == 501) r = send(at, "GET");
                status = r.statusCode();
                location = r.headers().firstValue("Location").orElse(null);
            } catch (java.net.http.HttpTimeoutException e) {
                return broken(null, "no answer within " + timeout.toMillis() + " ms");
            } catch (java.io.IOException e) {
                return broken(null, (e instanceof java.net.ConnectException ? "connection failed" : e.getClass().getSimpleName())
                        + (e.getMessage() == null ? "" : ": " + e.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new LinkHealth(LinkHealth.Status.UNKNOWN, null, "interrupted", clock.instant());
            } catch (IllegalArgumentException e) {
                return broken(null, "not a URL that can be requested: " + e.getMessage());
            }
            if (status >= 300 && status < 400 && status != 304 && location != null) {
                try {
                    at = at.resolve(location.strip());
                } catch (IllegalArgumentException e) {
                    return broken(status, "redirect to an invalid location");
                }
                continue;
            }
            if (status < 400) return new LinkHealth(LinkHealth.Status.OK, status, null, clock.instant());
            if (status == 401 || status == 403 || status == 429) {
                return new LinkHealth(LinkHealth.Status.UNKNOWN, status, "the destination answered " + status + " (it says nothing about the page)",
                        clock.instant());
            }
            return broken(status, "the destination answered " + status);
        }
        return broken(null, "more than " + MAX_REDIRECTS + " redirects");
    }

    private HttpResponse<Void> send(URI uri, String method) throws java.io.IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(timeout).header("User-Agent", userAgent)
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return client.send(req, HttpResponse.BodyHandlers.discarding());
    }

    private static String privateAddress(URI uri) {
        String host = uri.getHost();
        if (host == null) return "no host";
        try {
            for (InetAddress a : InetAddress.getAllByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : host)) {
                String why = PrivateAddresses.why(a);
                if (why != null) return host + " resolves to " + a.getHostAddress() + ", and " + why;
            }
            return null;
        } catch (java.net.UnknownHostException e) {
            return null; // the request says so
        }
    }

    private LinkHealth broken(Integer status, String error) {
        return new LinkHealth(LinkHealth.Status.BROKEN, status, error, clock.instant());
    }

    /** The host a URL's checks are serialized by. */
    static String hostOf(String url) {
        try {
            String h = URI.create(url).getHost();
            return h == null ? "" : h.toLowerCase(java.util.Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }
}
