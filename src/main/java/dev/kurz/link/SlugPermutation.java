package dev.kurz.link;

/**
 * A keyed bijection on [0, 62^7): a balanced Feistel network on 42 bits with cycle-walking.
 *
 * <p>Why: slugs come from a counter (unique by construction, no retry loop on collisions) but must
 * not be enumerable or share prefixes between consecutive links. A Feistel network is a
 * permutation of [0, 2^42) for any round function; 62^7 is ~0.8 of 2^42, so re-applying the
 * network until the value falls inside [0, 62^7) ("cycle-walking") restricts it to a permutation
 * of exactly that range, with ~1.25 rounds of the network on average. The key is generated once
 * per installation and stored in the database.
 */
public final class SlugPermutation {
    private static final int HALF = 21;
    private static final long HALF_MASK = (1L << HALF) - 1;
    private static final int ROUNDS = 8;

    private final long[] roundKeys = new long[ROUNDS];

    public SlugPermutation(long key) {
        long s = key;
        for (int i = 0; i < ROUNDS; i++) {
            s += 0x9E3779B97F4A7C15L;
            roundKeys[i] = mix(s);
        }
    }

    /** The slug for counter value {@code n}. */
    public String slug(long n) {
        return Base62.encode(permute(n));
    }

    public long permute(long n) {
        check(n);
        long x = n;
        do {
            x = encrypt(x);
        } while (x >= Base62.SPACE);
        return x;
    }

    public long inverse(long y) {
        check(y);
        long x = y;
        do {
            x = decrypt(x);
        } while (x >= Base62.SPACE);
        return x;
    }

    private long encrypt(long x) {
        long l = x >>> HALF;
        long r = x & HALF_MASK;
        for (int i = 0; i < ROUNDS; i++) {
            long next = l ^ (mix(r ^ roundKeys[i]) & HALF_MASK);
            l = r;
            r = next;
        }
        return (l << HALF) | r;
    }

    private long decrypt(long x) {
        long l = x >>> HALF;
        long r = x & HALF_MASK;
        for (int i = ROUNDS - 1; i >= 0; i--) {
            long prev = r ^ (mix(l ^ roundKeys[i]) & HALF_MASK);
            r = l;
            l = prev;
        }
        return (l << HALF) | r;
    }

    private static void check(long n) {
        if (n < 0 || n >= Base62.SPACE) throw new IllegalArgumentException("counter out of range: " + n);
    }

    /** SplitMix64's finalizer: every input bit affects every output bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
