package dev.kurz.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SipHashTest {
    // Key 00 01 … 0f, as in the reference implementation's test vectors.
    private static final long K0 = 0x0706050403020100L;
    private static final long K1 = 0x0f0e0d0c0b0a0908L;

    private static byte[] counting(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) i;
        return b;
    }

    @Test
    void hash24_referenceVectors() {
        assertThat(SipHash.hash24(K0, K1, new byte[0], 0)).isEqualTo(0x726fdb47dd0e0e31L);
        // The paper's worked example: the 15 bytes 00 … 0e.
        assertThat(SipHash.hash24(K0, K1, counting(15), 15)).isEqualTo(0xa129ca6149be45e5L);
    }

    @Test
    void hash24_readsOnlyTheFirstLenBytes() {
        byte[] b = counting(64);
        assertThat(SipHash.hash24(K0, K1, b, 15)).isEqualTo(0xa129ca6149be45e5L);
    }
}
