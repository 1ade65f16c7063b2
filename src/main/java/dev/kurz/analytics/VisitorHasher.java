package dev.kurz.analytics;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.time.LocalDate;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Tells visitors apart for unique counts without keeping their IP address: a visitor is 64 bits of
 * HMAC-SHA256 over IP and User-Agent, keyed with a random salt that changes every UTC day. Within
 * a day the same visitor gets the same value; across days values are unrelated, and once a day's
 * salt is forgotten nobody, us included, can test an IP address against that day's values.
 */
public final class VisitorHasher {
    private static final String HMAC = "HmacSHA256";

    /** The salt for each UTC day. */
    public interface SaltSource {
        /** Called on the redirect path (an event loop): must answer from memory, never wait for I/O. */
        byte[] saltFor(LocalDate day);

        /**
         * Changes when a salt already handed out is replaced (a node's own by the shared one, once
         * Redis answers again): hashers then ask for the day's salt again.
         */
        default long generation() {
            return 0;
        }

        /**
         * Random 32-byte salts kept in memory: made on first use, and forgotten once the day is older
         * than yesterday (relative to the latest day asked for). Yesterday stays because clicks are
         * hashed a little after they happen, and a batch may straddle midnight.
         */
        static SaltSource inMemory(SecureRandom random) {
            return new InMemory(random);
        }
    }

    private static final class InMemory implements SaltSource {
        private final SecureRandom random;
        private final TreeMap<LocalDate, byte[]> salts = new TreeMap<>();
        private LocalDate latest = LocalDate.MIN;

        InMemory(SecureRandom random) {
            this.random = random;
        }

        @Override
        public synchronized byte[] saltFor(LocalDate day) {
            if (day.isAfter(latest)) {
                latest = day;
                salts.headMap(latest.minusDays(1)).clear();
            }
            if (day.isBefore(latest.minusDays(1))) {
                // A forgotten day: a salt nobody keeps, so its hashes can't be recomputed.
                return newSalt();
            }
            return salts.computeIfAbsent(day, d -> newSalt()).clone();
        }

        private byte[] newSalt() {
            byte[] salt = new byte[32];
            random.nextBytes(salt);
            return salt;
        }
    }

    /** A thread's Mac, keyed for one day, and its buffers: a hash allocates nothing. */
    private static final class DayMac {
        long epochDay = Long.MIN_VALUE;
        long generation;
        final Mac mac;
        byte[] in = new byte[512];
        final byte[] out = new byte[32];
        /** SipHash key of the day for {@link #seed}: derived from the day's salt, so the same on every node. */
        long k0, k1;

        DayMac() {
            try {
                mac = Mac.getInstance(HMAC);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("every Java runtime has " + HMAC, e);
            }
        }
    }

    private final InstantSource clock;
    private final SaltSource salts;
    private final ThreadLocal<DayMac> macs = ThreadLocal.withInitial(DayMac::new);

    public VisitorHasher(InstantSource clock, SaltSource salts) {
        this.clock = clock;
        this.salts = salts;
    }

    /** The visitor's value for the current UTC day; null IP or User-Agent count as empty. */
    public long visitor(String ip, String userAgent) {
        DayMac m = today();
        // The bytes hashed are UTF-8 of ip, '\n', UTF-8 of userAgent, as always; ASCII (nearly every
        // header) is copied into the thread's buffer, anything else encoded the usual way.
        int n = put(m, 0, ip);
        m.in[n++] = '\n';
        n = put(m, n, userAgent);
        Mac mac = m.mac;
        mac.update(m.in, 0, n);
        try {
            mac.doFinal(m.out, 0);
        } catch (javax.crypto.ShortBufferException e) {
            throw new AssertionError("32 bytes hold an HMAC-SHA256", e);
        }
        return ByteBuffer.wrap(m.out).getLong();
    }

    /**
     * A cheaper value with the same promises for choosing among a smart link's variants on the
     * redirect path: stable for one visitor for one UTC day, the same on every node, unrelated
     * across days. SipHash-2-4 over the same bytes as {@link #visitor}, keyed with 16 bytes of
     * HMAC(day's salt, "variant"); about a tenth of the HMAC's time, which stays for unique counts.
     */
    public long seed(String ip, String userAgent) {
        DayMac m = today();
        int n = put(m, 0, ip);
        m.in[n++] = '\n';
        n = put(m, n, userAgent);
        return SipHash.hash24(m.k0, m.k1, m.in, n);
    }

    private DayMac today() {
        long epochDay = Math.floorDiv(clock.millis(), 86_400_000L);
        DayMac m = macs.get();
        long generation = salts.generation();
        if (epochDay != m.epochDay || generation != m.generation) {
            try {
                m.mac.init(new SecretKeySpec(salts.saltFor(LocalDate.ofEpochDay(epochDay)), HMAC));
                ByteBuffer k = ByteBuffer.wrap(m.mac.doFinal("variant".getBytes(StandardCharsets.US_ASCII))).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                m.k0 = k.getLong();
                m.k1 = k.getLong();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("salt rejected as an HMAC key", e);
            }
            m.epochDay = epochDay;
            m.generation = generation;
        }
        return m;
    }

    private static int put(DayMac m, int at, String s) {
        if (s == null) return at;
        int len = s.length();
        if (m.in.length < at + len * 3 + 1) m.in = java.util.Arrays.copyOf(m.in, Math.max(m.in.length * 2, at + len * 3 + 1));
        byte[] in = m.in;
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                byte[] utf8 = s.substring(i).getBytes(StandardCharsets.UTF_8);
                if (in.length < at + utf8.length + 1) in = m.in = java.util.Arrays.copyOf(in, at + utf8.length + 1);
                System.arraycopy(utf8, 0, in, at, utf8.length);
                return at + utf8.length;
            }
            in[at++] = (byte) c;
        }
        return at;
    }
}
