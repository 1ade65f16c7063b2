package dev.kurz.analytics;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
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
        byte[] saltFor(LocalDate day);

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

    /** A thread's Mac, keyed for one day. */
    private static final class DayMac {
        LocalDate day;
        final Mac mac;

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
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        DayMac m = macs.get();
        if (!today.equals(m.day)) {
            try {
                m.mac.init(new SecretKeySpec(salts.saltFor(today), HMAC));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("salt rejected as an HMAC key", e);
            }
            m.day = today;
        }
        Mac mac = m.mac;
        mac.update(bytes(ip));
        mac.update((byte) '\n');
        mac.update(bytes(userAgent));
        return ByteBuffer.wrap(mac.doFinal()).getLong();
    }

    private static byte[] bytes(String s) {
        return s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8);
    }
}
