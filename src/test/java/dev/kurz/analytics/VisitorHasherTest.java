package dev.kurz.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.analytics.VisitorHasher.SaltSource;
import dev.kurz.testing.MutableClock;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class VisitorHasherTest {
    private static final String UA = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T00:00:01Z"));
    private final VisitorHasher hasher = new VisitorHasher(clock, SaltSource.inMemory(new SecureRandom()));

    @Test
    void visitor_sameInputSameDay_isTheSame() {
        long first = hasher.visitor("203.0.113.9", UA);
        clock.advance(Duration.ofHours(23).plusMinutes(59));
        assertThat(hasher.visitor("203.0.113.9", UA)).isEqualTo(first);
    }

    @Test
    void visitor_nextDay_differs() {
        long today = hasher.visitor("203.0.113.9", UA);
        clock.advance(Duration.ofDays(1));
        assertThat(hasher.visitor("203.0.113.9", UA)).isNotEqualTo(today);
    }

    @Test
    void visitor_differentUserAgentOrIp_differs() {
        long v = hasher.visitor("203.0.113.9", UA);
        assertThat(hasher.visitor("203.0.113.9", UA + " ")).isNotEqualTo(v);
        assertThat(hasher.visitor("203.0.113.10", UA)).isNotEqualTo(v);
        // The separator keeps the boundary: an address has no '\n', and neither has a header value.
        assertThat(hasher.visitor("203.0.113.9", "1")).isNotEqualTo(hasher.visitor("203.0.113.91", ""));
    }

    @Test
    void visitor_isTheFirst64BitsOfHmacSha256OverUtf8() throws Exception {
        byte[] salt = new byte[32];
        new SecureRandom().nextBytes(salt);
        VisitorHasher fixed = new VisitorHasher(clock, day -> salt);
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(salt, "HmacSHA256"));
        // ASCII, non-ASCII in the middle (the buffer's slow path), and longer than the thread's first buffer.
        for (String ua : new String[] {UA, "Mozilla/5.0 (Linux; Android 14; Grüße 日本 \uD83D\uDE00) Chrome/131.0", UA.repeat(20) + "é"}) {
            for (String ip : new String[] {"203.0.113.9", "2001:db8::1"}) {
                byte[] want = mac.doFinal((ip + "\n" + ua).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                assertThat(fixed.visitor(ip, ua)).as(ua).isEqualTo(java.nio.ByteBuffer.wrap(want).getLong());
            }
        }
    }

    @Test
    void seed_sameVisitorSameDay_isTheSame_andNextDayDiffers_andOtherNodesAgree() {
        byte[] salt = new byte[32];
        new SecureRandom().nextBytes(salt);
        VisitorHasher node1 = new VisitorHasher(clock, day -> salt);
        VisitorHasher node2 = new VisitorHasher(clock, day -> salt);
        long s = node1.seed("203.0.113.9", UA);
        assertThat(node2.seed("203.0.113.9", UA)).as("another node with the day's shared salt").isEqualTo(s);
        assertThat(node1.seed("203.0.113.9", UA)).isEqualTo(s);
        assertThat(node1.seed("203.0.113.10", UA)).isNotEqualTo(s);
        assertThat(node1.seed("203.0.113.9", UA)).as("not the unique-visitor value").isNotEqualTo(node1.visitor("203.0.113.9", UA));
        assertThat(hasher.seed("203.0.113.9", UA)).as("another salt").isNotEqualTo(s);
        // Even over 100 buckets: 20,000 visitors, none of the buckets far from 200.
        int[] buckets = new int[100];
        for (int i = 0; i < 20_000; i++) buckets[(int) Long.remainderUnsigned(node1.seed("198.51.100." + (i % 256), UA + i), 100)]++;
        assertThat(java.util.Arrays.stream(buckets).min().getAsInt()).isGreaterThan(140);
        assertThat(java.util.Arrays.stream(buckets).max().getAsInt()).isLessThan(260);
    }

    @Test
    void visitor_nullParts_areHashedAsEmpty() {
        assertThat(hasher.visitor(null, null)).isEqualTo(hasher.visitor("", ""));
    }

    @Test
    void visitor_yesterdayStaysComputableUntilTheDayAfter() {
        long day1 = hasher.visitor("203.0.113.9", UA);
        clock.advance(Duration.ofDays(1));
        hasher.visitor("203.0.113.9", UA);
        clock.advance(Duration.ofDays(-1));
        assertThat(hasher.visitor("203.0.113.9", UA)).as("yesterday, still kept").isEqualTo(day1);
    }

    @Test
    void visitor_daysOlderThanYesterday_cannotBeRecomputed() {
        long day1 = hasher.visitor("203.0.113.9", UA);
        clock.advance(Duration.ofDays(2));
        hasher.visitor("203.0.113.9", UA);
        clock.advance(Duration.ofDays(-2));
        assertThat(hasher.visitor("203.0.113.9", UA)).isNotEqualTo(day1);
    }

    @Test
    void inMemory_forgetsSaltsOlderThanYesterday() {
        SaltSource salts = SaltSource.inMemory(new SecureRandom());
        LocalDate d = LocalDate.of(2026, 3, 1);
        byte[] first = salts.saltFor(d);
        assertThat(first).hasSize(32).isEqualTo(salts.saltFor(d));
        assertThat(salts.saltFor(d.plusDays(1))).isNotEqualTo(first);
        assertThat(salts.saltFor(d)).as("yesterday").isEqualTo(first);
        salts.saltFor(d.plusDays(2));
        assertThat(salts.saltFor(d)).as("the day before yesterday").isNotEqualTo(first);
        assertThat(salts.saltFor(d)).as("and it is not kept either").isNotEqualTo(salts.saltFor(d));
    }

    @Test
    void inMemory_returnsCopies() {
        SaltSource salts = SaltSource.inMemory(new SecureRandom());
        LocalDate d = LocalDate.of(2026, 3, 1);
        byte[] salt = salts.saltFor(d);
        byte[] copy = salt.clone();
        salt[0]++;
        assertThat(salts.saltFor(d)).isEqualTo(copy);
    }
}
