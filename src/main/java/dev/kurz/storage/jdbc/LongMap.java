package dev.kurz.storage.jdbc;

/**
 * A map from long to V with open addressing: one probe into two arrays, no boxing. Folding the
 * click log looks a link up per click; a HashMap of boxed keys costs a few cache misses each.
 * Not thread-safe.
 */
final class LongMap<V> {
    /** Visits an entry. */
    interface Visitor<V> {
        void visit(long key, V value);
    }

    private long[] keys = new long[64];
    private Object[] values = new Object[64];
    private int size;

    @SuppressWarnings("unchecked")
    V get(long key) {
        int mask = keys.length - 1;
        for (int i = slot(key, mask); ; i = (i + 1) & mask) {
            Object v = values[i];
            if (v == null) return null;
            if (keys[i] == key) return (V) v;
        }
    }

    /** Puts {@code value} (not null) under {@code key}. */
    void put(long key, V value) {
        if ((size + 1) * 2 > keys.length) grow();
        int mask = keys.length - 1;
        for (int i = slot(key, mask); ; i = (i + 1) & mask) {
            if (values[i] == null) {
                keys[i] = key;
                values[i] = value;
                size++;
                return;
            }
            if (keys[i] == key) {
                values[i] = value;
                return;
            }
        }
    }

    @SuppressWarnings("unchecked")
    void forEach(Visitor<V> visitor) {
        for (int i = 0; i < keys.length; i++) {
            if (values[i] != null) visitor.visit(keys[i], (V) values[i]);
        }
    }

    private void grow() {
        long[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new Object[oldKeys.length * 2];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldValues[i] != null) {
                int mask = keys.length - 1;
                int j = slot(oldKeys[i], mask);
                while (values[j] != null) j = (j + 1) & mask;
                keys[j] = oldKeys[i];
                values[j] = oldValues[i];
                size++;
            }
        }
    }

    private static int slot(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L; // Fibonacci hashing: spreads sequential ids
        return (int) (h >>> 32) & mask;
    }
}
