package dev.kurz.link;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * Date-times as the API takes them: RFC 3339 with a four-digit year, seconds, an optional
 * fraction and a zone ({@code Z} or {@code ±hh:mm}). Java alone would take {@code +292278995-…},
 * whose milliseconds overflow a long; this never returns an instant that cannot be stored.
 */
public final class Rfc3339 {
    private static final Pattern SHAPE = Pattern.compile(
            "\\d{4}-\\d{2}-\\d{2}[Tt ]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})");

    private Rfc3339() {}

    /** @throws IllegalArgumentException when {@code s} is not such a date-time */
    public static Instant parse(String s) {
        String t = s.strip();
        if (t.length() > 40 || !SHAPE.matcher(t).matches()) throw new IllegalArgumentException("not RFC 3339");
        try {
            return OffsetDateTime.parse(t.toUpperCase(java.util.Locale.ROOT).replace(' ', 'T')).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not a valid date-time", e);
        }
    }
}
