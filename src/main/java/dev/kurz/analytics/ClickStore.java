package dev.kurz.analytics;

/**
 * Where aggregated clicks are written. Blocking. Every write is additive (sketch registers: max),
 * so any number of nodes write without coordination and the totals are exact.
 */
public interface ClickStore {
    /** Writes the whole aggregate; when it throws, nothing of it was written. */
    void write(ClickAggregate batch);
}
