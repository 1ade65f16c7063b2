package dev.kurz.ratelimit;

import io.github.bucket4j.TimeMeter;

/**
 * The redirect path's per-address limit: a token bucket per key, kept as one number — its
 * theoretical arrival time (GCRA, the generic cell rate algorithm) — in two fixed arrays.
 *
 * <p>Design: real visitors come from a new address nearly every request, and a map of bucket
 * objects allocated one bucket (about ten objects) per new address; they lived a window, long
 * enough to be copied by young collections and promoted, and that garbage was a third of the
 * redirect throughput and most of its p99 (docs/BENCHMARKS.md, realistic visitors). Here a key is
 * a 64-bit hash and a bucket a {@code long}: no allocation, nothing for the collector to trace.
 *
 * <p>A bucket of {@code capacity} tokens refilling one every {@code interval} nanoseconds is, for
 * one-token requests, exactly the GCRA rule: allow when {@code max(tat, now) - now <= (capacity -
 * 1) * interval}, then add {@code interval} to {@code tat}. A key whose {@code tat} has passed has a
 * full bucket, the same as a key never seen, so its slot is free for another. Slots are looked up
 * in aligned groups of {@link #WAYS}; a full group gives up its least indebted slot (the least
 * recent first, as the bounded map did). Two keys with the same 64-bit hash would share a bucket.
 */
final class Cells {
    static final int WAYS = 8;
    private static final int STRIPES = 64;

    private final long[] keys;
    private final long[] tats;
    private final int mask;
    private final long interval;
    private final long tolerance;
    private final TimeMeter time;
    private final Object[] locks = new Object[STRIPES];

    Cells(long capacity, long windowNanos, int slots, TimeMeter time) {
        int size = Integer.highestOneBit(Math.max(WAYS, slots) - 1) << 1; // a power of two, at least slots
        this.keys = new long[size];
        this.tats = new long[size];
        this.mask = size - 1;
        this.interval = Math.max(1, windowNanos / capacity);
        this.tolerance = interval * (capacity - 1);
        this.time = time;
        for (int i = 0; i < STRIPES; i++) locks[i] = new Object();
    }

    /** Takes one token of {@code key}'s bucket if there is one. */
    boolean tryAcquire(String key) {
        long h = hash(key);
        long now = time.currentTimeNanos();
        int group = group(h);
        synchronized (locks[(group / WAYS) & (STRIPES - 1)]) {
            int slot = find(group, h, now);
            long tat = keys[slot] == h ? Math.max(tats[slot], now) : now;
            if (tat - now > tolerance) return false;
            keys[slot] = h;
            tats[slot] = tat + interval;
            return true;
        }
    }

    /** Nanoseconds until {@code key} has a token again (0 when it has one now). */
    long nanosToWait(String key) {
        long h = hash(key);
        long now = time.currentTimeNanos();
        int group = group(h);
        synchronized (locks[(group / WAYS) & (STRIPES - 1)]) {
            for (int i = group; i < group + WAYS; i++) {
                if (keys[i] == h) return Math.max(0, tats[i] - tolerance - now);
            }
            return 0;
        }
    }

    /** The key's slot in its group; else a free one (never used, or refilled); else the least indebted. */
    private int find(int group, long h, long now) {
        int free = -1, least = group;
        for (int i = group; i < group + WAYS; i++) {
            if (keys[i] == h) return i;
            if (free < 0 && (keys[i] == 0 || tats[i] <= now)) free = i;
            if (tats[i] < tats[least]) least = i;
        }
        return free >= 0 ? free : least;
    }

    private int group(long h) {
        return (int) (h >>> 32) & mask & -WAYS;
    }

    /** FNV-1a over the characters, then a murmur finalizer; never 0 (the empty slot). */
    static long hash(String key) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < key.length(); i++) h = (h ^ key.charAt(i)) * 0x100000001b3L;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h == 0 ? 1 : h;
    }
}
