package dev.kurz.storage.jdbc;

import dev.kurz.analytics.ClickStore;
import dev.kurz.analytics.StatsStore;
import java.time.Duration;
import java.time.LocalDate;

/** Where clicks are written and read, on either database. */
public interface AnalyticsStore extends ClickStore, StatsStore, AutoCloseable {

    /**
     * The store for {@code db}: on PostgreSQL every flush upserts rollups and raw rows, which many
     * nodes do at once; on SQLite, a single process, flushes append to a click log and rollups are
     * folded in every {@code compactEvery} (ADR 0013).
     */
    static AnalyticsStore open(Database db, Duration compactEvery) {
        JdbcAnalyticsStore rows = new JdbcAnalyticsStore(db);
        return db.dialect() == Dialect.SQLITE ? new ClickLogStore(db, rows, compactEvery) : rows;
    }

    /** PostgreSQL: makes sure daily partitions of the raw clicks exist from {@code from} for {@code days} days. */
    default void ensurePartitions(LocalDate from, int days) {}

    /**
     * PostgreSQL: folds the dimension and register rows of the days before {@code beforeDay} (days
     * since the epoch, UTC) into one blob per link and day (ADR 0019); returns how many link-days.
     * Safe on every node at once: one folds, the others return 0.
     */
    default int foldDays(long beforeDay) {
        return 0;
    }

    /** Writes what the store holds in memory into the tables (SQLite: folds the click log in). */
    default void flush() {}

    /** Stops background work; called after the last write. */
    @Override
    default void close() {}

    /**
     * Runs {@code read} of links' {@code clicks} columns and {@link #uncountedClicks} so that no fold
     * moves clicks from one to the other in between (which would show them in neither).
     */
    default <T> T atOneMoment(java.util.function.Supplier<T> read) {
        return read.get();
    }

    /** Clicks of a link that are written but not yet in its {@code clicks} column. */
    default long uncountedClicks(long linkId) {
        return 0;
    }
}
