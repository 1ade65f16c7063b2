package dev.kurz.config;

import java.util.Locale;
import java.util.Set;

/**
 * Whether an admin key chosen by hand ({@code KURZ_API_KEY}) is strong enough to put on the
 * internet: long, varied, and not a word, a keyboard walk or a repeated pattern. Keys Kurz makes
 * itself are 190 random bits and always pass.
 */
public final class AdminKeys {
    public static final int MIN_LENGTH = 24;
    private static final int MIN_DISTINCT = 10;
    private static final Set<String> WORDS = Set.of("password", "passwort", "changeme", "secret", "admin", "letmein",
            "qwerty", "azerty", "asdfgh", "zxcvbn", "uiop", "hjkl", "123456", "654321", "abcdef", "example", "default", "welcome", "kurz");

    private AdminKeys() {}

    /** Null when the key is acceptable, else why not, in a few words (never the key itself). */
    public static String weakness(String key) {
        if (key.length() < MIN_LENGTH) return key.length() + " characters, at least " + MIN_LENGTH + " are needed";
        if (key.length() > 200) return "longer than 200 characters";
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x21 || c > 0x7e) return "only printable ASCII characters without spaces are allowed";
        }
        if (key.chars().distinct().count() < MIN_DISTINCT) return "fewer than " + MIN_DISTINCT + " different characters";
        int period = period(key);
        if (period <= key.length() / 2) return "a short pattern repeated";
        if (longestRun(key) * 2 >= key.length()) return "mostly a run of repeated or consecutive characters";
        String lower = key.toLowerCase(Locale.ROOT);
        int common = 0;
        for (String w : WORDS) if (lower.contains(w)) common += w.length();
        if (common * 2 >= key.length()) return "mostly common words";
        return null;
    }

    /** The smallest p with key[i] == key[i+p] for all i. */
    private static int period(String key) {
        int n = key.length();
        outer:
        for (int p = 1; p <= n / 2; p++) {
            for (int i = 0; i + p < n; i++) if (key.charAt(i) != key.charAt(i + p)) continue outer;
            return p;
        }
        return n;
    }

    /** The longest stretch where each character equals, or follows, or precedes the one before. */
    private static int longestRun(String key) {
        int best = 1, run = 1, step = 2;
        for (int i = 1; i < key.length(); i++) {
            int d = key.charAt(i) - key.charAt(i - 1);
            if (Math.abs(d) <= 1 && (run == 1 || d == step)) {
                step = d;
                run++;
            } else if (Math.abs(d) <= 1) {
                step = d;
                run = 2;
            } else {
                run = 1;
                step = 2;
            }
            best = Math.max(best, run);
        }
        return best;
    }
}
