package dev.kurz.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SlugPermutationTest {
    private final SlugPermutation p = new SlugPermutation(0x5EED_CAFE_1234L);

    @Test
    void permute_isInvertedByInverse() {
        Random r = new Random(1);
        for (int i = 0; i < 100_000; i++) {
            long n = Math.floorMod(r.nextLong(), Base62.SPACE);
            assertThat(p.inverse(p.permute(n))).isEqualTo(n);
        }
        assertThat(p.inverse(p.permute(0))).isZero();
        assertThat(p.inverse(p.permute(Base62.SPACE - 1))).isEqualTo(Base62.SPACE - 1);
    }

    @Test
    void permute_hasNoCollisionsOverMillionsOfCounters() {
        int n = 3_000_000;
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = p.permute(i);
            assertThat(out[i]).isBetween(0L, Base62.SPACE - 1);
        }
        Arrays.sort(out);
        for (int i = 1; i < n; i++) {
            assertThat(out[i]).as("collision at %d", i).isNotEqualTo(out[i - 1]);
        }
    }

    @Test
    void slug_isSevenCharactersOfBase62() {
        for (long i = 0; i < 10_000; i++) {
            assertThat(p.slug(i)).hasSize(7).matches("[0-9A-Za-z]{7}");
        }
    }

    @Test
    void slug_consecutiveCountersShareNoPrefixBeyondChance() {
        // Independent random slugs share their first character 1 time in 62 (~1.6 %).
        int shared = 0;
        int n = 100_000;
        String prev = p.slug(0);
        for (long i = 1; i <= n; i++) {
            String s = p.slug(i);
            if (s.charAt(0) == prev.charAt(0)) shared++;
            prev = s;
        }
        assertThat(shared / (double) n).isLessThan(0.03);
        assertThat(sharedPrefix3(n)).as("consecutive slugs sharing 3 leading characters").isLessThan(5);
    }

    private int sharedPrefix3(int n) {
        int shared = 0;
        String prev = p.slug(0);
        for (long i = 1; i <= n; i++) {
            String s = p.slug(i);
            if (s.regionMatches(0, prev, 0, 3)) shared++;
            prev = s;
        }
        return shared;
    }

    @Test
    void permutation_dependsOnTheKey() {
        SlugPermutation other = new SlugPermutation(0x5EED_CAFE_1235L);
        int same = 0;
        for (long i = 0; i < 1000; i++) if (p.slug(i).equals(other.slug(i))) same++;
        assertThat(same).isZero();
    }

    @Test
    void permute_rejectsOutOfRange() {
        assertThatThrownBy(() -> p.permute(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> p.permute(Base62.SPACE)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void base62_roundTrips() {
        assertThat(Base62.encode(0)).isEqualTo("0000000");
        assertThat(Base62.encode(Base62.SPACE - 1)).isEqualTo("zzzzzzz");
        assertThat(Base62.decode(Base62.encode(123_456_789L))).isEqualTo(123_456_789L);
    }
}
