package dev.kurz.abuse;

import com.ibm.icu.text.SpoofChecker;
import dev.kurz.link.Hosts;

/**
 * International host names made to pass for others (UTS #39), checked label by label on the
 * decoded punycode, so {@code xn--80ak6aa92e.com} and {@code аррӏе.com} get the same answer.
 *
 * <p>Restriction level: MODERATELY_RESTRICTIVE. A label may be one script, or Latin with Han,
 * Hiragana, Katakana, Hangul, Bopomofo, or Latin with one other recommended script except
 * Cyrillic, Greek and Cherokee, the scripts whose letters pass for Latin ones. That is the policy
 * browsers apply before they show a name in Unicode, so names people use (Japanese mixing Kanji
 * and Latin, {@code münchen}) pass while {@code pаypal} (a Cyrillic а) fails. HIGHLY_RESTRICTIVE
 * would also refuse Latin mixed with e.g. Devanagari or Arabic, which is legitimate and not
 * confusable with ASCII.
 *
 * <p>A label in one script is still a homograph when every one of its letters looks like ASCII
 * ({@code аррӏе}, all Cyrillic, whose UTS #39 skeleton is plain ASCII); labels with letters of
 * their own ({@code münchen}, {@code москва}) keep non-ASCII skeletons and pass.
 */
final class Homographs {
    /** Built on the first internationalized host, not at start: ICU's confusables take 50 ms to load. */
    private static final class Icu {
        static final SpoofChecker CHECKER = new SpoofChecker.Builder()
                .setRestrictionLevel(SpoofChecker.RestrictionLevel.MODERATELY_RESTRICTIVE)
                .setChecks(SpoofChecker.RESTRICTION_LEVEL | SpoofChecker.INVISIBLE | SpoofChecker.MIXED_NUMBERS)
                .build();
    }

    /** Why the canonical ASCII host is a homograph, or null when it is not (or is ASCII). */
    String why(String host) {
        if (!host.contains("xn--")) return null; // ASCII names cannot mix scripts
        for (String label : host.split("\\.")) {
            if (!label.startsWith("xn--")) continue;
            String u = Hosts.toUnicode(label);
            SpoofChecker.CheckResult result = new SpoofChecker.CheckResult();
            SpoofChecker checker = Icu.CHECKER;
            if (checker.failsChecks(u, result)) {
                if ((result.checks & SpoofChecker.INVISIBLE) != 0) return "the host label '" + u + "' hides invisible characters";
                if ((result.checks & SpoofChecker.MIXED_NUMBERS) != 0) return "the host label '" + u + "' mixes digits of different scripts";
                return "the host label '" + u + "' (" + label + ") mixes scripts (e.g. Latin with Cyrillic or Greek): a homograph of another name";
            }
            if (isAscii(checker.getSkeleton(u))) {
                return "the host label '" + u + "' (" + label + ") is written in letters that look like Latin ones: a homograph of an ASCII name";
            }
        }
        return null;
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) return false;
        }
        return true;
    }
}
