package dev.kurz.analytics;

/**
 * HyperLogLog with 4096 registers (precision 12, about 1.6 % standard error) for unique
 * visitors. A sketch is stored as rows (register index, rank) and merged with MAX per register, so
 * any number of nodes and any number of time buckets combine without coordination: the sketch of a
 * union is the register-wise max of the sketches.
 */
final class Hll {
    static final int PRECISION = 12;
    static final int REGISTERS = 1 << PRECISION;
    /** One more than the bits left after the register index: the rank of a hash whose rest is 0. */
    static final int MAX_RANK = 64 - PRECISION + 1;

    private Hll() {}

    /** The register a hash goes to: the top 12 bits of the mixed hash. */
    public static int register(long hash) {
        return (int) (mix(hash) >>> (64 - PRECISION));
    }

    /** 1 + the number of leading zeros in the remaining 52 bits of the mixed hash, at most 53. */
    public static int rank(long hash) {
        long rest = mix(hash) << PRECISION;
        return Math.min(Long.numberOfLeadingZeros(rest) + 1, MAX_RANK);
    }

    /** Adds a hash to {@code registers}; true if a register grew (so the sketch changed). */
    static boolean add(byte[] registers, long hash) {
        int r = register(hash);
        int rank = rank(hash);
        if (registers[r] >= rank) return false;
        registers[r] = (byte) rank;
        return true;
    }

    /**
     * The estimated number of distinct hashes behind {@code registers} (4096 max ranks, 0 for an
     * empty register): the raw HyperLogLog estimate with its bias constant, and linear counting
     * (from the empty registers) where that is more accurate, below 2.5 × 4096. The 64-bit hash makes
     * the large-range correction of the 32-bit original unnecessary.
     */
    public static long estimate(byte[] registers) {
        if (registers.length != REGISTERS) {
            throw new IllegalArgumentException("expected " + REGISTERS + " registers, got " + registers.length);
        }
        double m = REGISTERS;
        double sum = 0;
        int zeros = 0;
        for (byte b : registers) {
            sum += Math.scalb(1.0, -b);
            if (b == 0) zeros++;
        }
        double alpha = 0.7213 / (1 + 1.079 / m);
        double raw = alpha * m * m / sum;
        if (raw <= 2.5 * m && zeros > 0) return Math.round(m * Math.log(m / zeros));
        return Math.round(raw);
    }

    /**
     * MurmurHash3's 64-bit finalizer, a bijection that spreads every input bit over the output:
     * callers may pass sequential ids, and HyperLogLog needs uniform bits.
     */
    static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
