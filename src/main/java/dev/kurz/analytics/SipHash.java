package dev.kurz.analytics;

/** SipHash-2-4 (Aumasson and Bernstein), 64-bit output: a fast keyed hash for short inputs. */
final class SipHash {
    private SipHash() {}

    static long hash24(long k0, long k1, byte[] in, int len) {
        long v0 = k0 ^ 0x736f6d6570736575L;
        long v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L;
        long v3 = k1 ^ 0x7465646279746573L;
        int end = len - (len & 7);
        // Each message word (the last one carries the length and the tail bytes) takes 2 rounds, then 4 finalise.
        for (int at = 0; ; at += 8) {
            boolean finish = at > end;
            long m = finish ? 0 : at < end ? le(in, at, 8) : ((long) len) << 56 | le(in, end, len & 7);
            if (finish) v2 ^= 0xff;
            else v3 ^= m;
            for (int r = finish ? 4 : 2; r > 0; r--) {
                v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
                v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
                v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
                v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
            }
            if (finish) break;
            v0 ^= m;
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }

    /** {@code n} (0–8) bytes from {@code at}, little-endian. */
    private static long le(byte[] in, int at, int n) {
        long m = 0;
        for (int i = n - 1; i >= 0; i--) m = m << 8 | (in[at + i] & 0xffL);
        return m;
    }
}
