package dev.kurz.ratelimit;

import dev.kurz.config.Rate;
import dev.kurz.problem.ProblemException;
import java.time.Duration;

/** 429: a limit was reached; the answer carries {@code Retry-After}. */
public final class RateLimited extends ProblemException {
    private final long retryAfterSeconds;

    private RateLimited(String detail, long retryAfterSeconds) {
        super("rate-limited", "Too many requests", 429, detail);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** {@code who} reached {@code limit}, e.g. "this API key", "your address". */
    public static RateLimited by(Limiter limit, String who, long retryAfterSeconds) {
        return new RateLimited("Too many requests from " + who + ": the limit is " + words(limit.rate())
                + " (policy \"" + limit.name() + "\"); try again in " + retryAfterSeconds + " s", retryAfterSeconds);
    }

    /** Wrong API keys: the address is refused before its key is checked. */
    public static RateLimited authFailures(Limiter limit, long retryAfterSeconds) {
        return new RateLimited("Too many requests with a wrong or missing API key from your address (at most "
                + words(limit.rate()) + "); this address may try again in " + retryAfterSeconds + " s", retryAfterSeconds);
    }

    /** A batch that counts for more requests than a whole quota: it can never pass as it is. */
    public static RateLimited batchTooLarge(Limiter limit, String who, int items) {
        return new RateLimited("This batch of " + items + " links counts as " + items + " requests, more than the whole quota of "
                + who + " (" + words(limit.rate()) + "); send at most " + limit.rate().tokens() + " links per batch",
                limit.rate().windowSeconds());
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** "600 requests per minute", "20 requests per 10 minutes". */
    static String words(Rate r) {
        Duration w = r.window();
        long s = w.toSeconds();
        String per;
        if (s % 86_400 == 0) per = s == 86_400 ? "day" : s / 86_400 + " days";
        else if (s % 3600 == 0) per = s == 3600 ? "hour" : s / 3600 + " hours";
        else if (s % 60 == 0) per = s == 60 ? "minute" : s / 60 + " minutes";
        else per = s == 1 ? "second" : s + " seconds";
        return r.tokens() + (r.tokens() == 1 ? " request per " : " requests per ") + per;
    }
}
