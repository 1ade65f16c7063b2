package dev.kurz.link;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Link passwords as Argon2id hashes in the PHC string format ({@code $argon2id$v=19$m=…,t=…,p=…$salt$hash}),
 * with OWASP's minimum parameters (19 MiB, 2 passes, 1 lane): about 30 ms a check, so callers run
 * it off the event loop. BouncyCastle's pure-Java Argon2: no native library to ship.
 */
public final class Passwords {
    public static final int MAX_LENGTH = 256;
    private static final int MEMORY_KIB = 19 * 1024, ITERATIONS = 2, LANES = 1, SALT = 16, HASH = 32;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private Passwords() {}

    public static String hash(String password) {
        byte[] salt = new byte[SALT];
        RANDOM.nextBytes(salt);
        byte[] h = argon2(password, salt, MEMORY_KIB, ITERATIONS, LANES, HASH);
        return "$argon2id$v=19$m=" + MEMORY_KIB + ",t=" + ITERATIONS + ",p=" + LANES + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(h);
    }

    /** Whether {@code password} matches the PHC string {@code stored}; false for anything malformed. */
    public static boolean matches(String password, String stored) {
        if (password == null || stored == null || password.length() > MAX_LENGTH) return false;
        String[] p = stored.split("\\$");
        if (p.length != 6 || !p[1].equals("argon2id") || !p[2].equals("v=19")) return false;
        try {
            int m = 0, t = 0, l = 0;
            for (String kv : p[3].split(",")) {
                int v = Integer.parseInt(kv.substring(2));
                switch (kv.charAt(0)) {
                    case 'm' -> m = v;
                    case 't' -> t = v;
                    case 'p' -> l = v;
                    default -> { return false; }
                }
            }
            byte[] salt = B64D.decode(p[4]);
            byte[] expected = B64D.decode(p[5]);
            return MessageDigest.isEqual(expected, argon2(password, salt, m, t, l, expected.length));
        } catch (IllegalArgumentException | StringIndexOutOfBoundsException e) {
            return false;
        }
    }

    private static byte[] argon2(String password, byte[] salt, int memoryKib, int iterations, int lanes, int length) {
        Argon2BytesGenerator g = new Argon2BytesGenerator();
        g.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id).withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withSalt(salt).withMemoryAsKB(memoryKib).withIterations(iterations).withParallelism(lanes).build());
        byte[] out = new byte[length];
        g.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
        return out;
    }
}
