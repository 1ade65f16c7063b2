package dev.kurz.idempotency;

/** Where idempotency keys live, shared by every node. Blocking: call it from a virtual thread. */
public interface IdempotencyStore {

    /** What {@link #claim} found. */
    enum State {
        /** The key is now this attempt's: run the request. */
        CLAIMED,
        /** A request with this key and body already finished: its answer is stored. */
        DONE,
        /** A request with this key is still running and its lease has not run out. */
        RUNNING,
        /** The key was used with a different request. */
        MISMATCH
    }

    /** The outcome of a claim; the answer's fields are set for {@link State#DONE}, {@code lockedUntil} for RUNNING. */
    record Found(State state, int status, String body, String location, long lockedUntil) {
        public static Found of(State state) {
            return new Found(state, 0, null, null, 0);
        }
    }

    /**
     * Claims {@code (owner, key)} for the attempt {@code token}, atomically across nodes: a new key,
     * an expired one or a running one whose lease ({@code lockedUntil} of the holder) has passed is
     * claimed; otherwise reports what is there. Times are epoch milliseconds.
     */
    Found claim(long owner, String key, String requestHash, String token, long now, long lockedUntil, long expiresAt);

    /** Gives up a claim that produced no answer to keep (the request failed), so a retry runs again. */
    void release(long owner, String key, String token);

    /** Deletes keys past their expiry; returns how many. */
    long purgeExpired(long now);
}
