package dev.kurz.ratelimit;

/**
 * The answer of one limit to one request: allowed or not, the tokens left, the seconds until the
 * bucket is full again ({@code resetSeconds}, the RateLimit field's {@code t}) and, when refused,
 * the seconds until enough tokens are back ({@code retryAfterSeconds}, for {@code Retry-After}).
 */
public record Decision(Limiter limit, boolean allowed, long remaining, long resetSeconds, long retryAfterSeconds) {

    /**
     * The RateLimit field item for this answer, e.g. {@code "api";r=599;t=1}: {@code t} is the time
     * until the bucket is full again, or, when refused, until the next token (so that
     * {@code Retry-After} does not point before the end of the window, as the draft asks).
     */
    public String header() {
        return '"' + limit.name() + "\";r=" + remaining + ";t=" + (allowed ? resetSeconds : retryAfterSeconds);
    }

    static long seconds(long nanos) {
        if (nanos <= 0) return 0;
        if (nanos >= Long.MAX_VALUE - 999_999_999L) return Long.MAX_VALUE / 1_000_000_000L;
        return (nanos + 999_999_999L) / 1_000_000_000L;
    }
}
