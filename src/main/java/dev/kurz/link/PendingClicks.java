package dev.kurz.link;

/**
 * Clicks that are recorded but not yet in the store's link counters (the SQLite click log folds
 * them in once a minute; on PostgreSQL there are none).
 */
public interface PendingClicks {
    PendingClicks NONE = new PendingClicks() {
        @Override
        public long of(long linkId) {
            return 0;
        }

        @Override
        public void settle() {}
    };

    /**
     * Runs {@code read} (stored links, then {@link #of} for each) so that no fold moves clicks from
     * pending into the stored counters in between, which would show them in neither.
     */
    default <T> T atOneMoment(java.util.function.Supplier<T> read) {
        return read.get();
    }

    /** A link's recorded clicks that its stored counter does not show yet. */
    long of(long linkId);

    /** Moves every recorded click into the stored counters (blocking). */
    void settle();
}
