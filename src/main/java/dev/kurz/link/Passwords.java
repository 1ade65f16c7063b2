package dev.kurz.link;

import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;

/**
 * Link passwords as Argon2id hashes in the PHC string format ({@code $argon2id$v=19$m=…,t=…,p=…$salt$hash}),
 * with OWASP's minimum parameters (19 MiB, 2 passes, 1 lane): tens of milliseconds a check, so
 * callers run it off the event loop. Password4j's pure-Java Argon2: no native library to ship.
 */
public final class Passwords {
    public static final int MAX_LENGTH = 256;
    private static final int MEMORY_KIB = 19 * 1024, ITERATIONS = 2, LANES = 1, SALT = 16, HASH = 32;
    private static final Argon2Function ARGON2ID = Argon2Function.getInstance(MEMORY_KIB, ITERATIONS, LANES, HASH, Argon2.ID,
            Argon2Function.ARGON2_VERSION_13);

    private Passwords() {}

    public static String hash(String password) {
        return Password.hash(password).addRandomSalt(SALT).with(ARGON2ID).getResult();
    }

    /** Whether {@code password} matches the PHC string {@code stored}; false for anything malformed. */
    public static boolean matches(String password, String stored) {
        if (password == null || stored == null || password.length() > MAX_LENGTH || !stored.startsWith("$argon2id$v=19$")) return false;
        try {
            return Password.check(password, stored).with(Argon2Function.getInstanceFromHash(stored));
        } catch (RuntimeException e) {
            return false;
        }
    }
}
