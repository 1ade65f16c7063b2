package dev.kurz.auth;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What an API key may do; {@code admin} includes every other scope. {@code links:own} is a
 * modifier, not a permission: it limits {@code links:read} and {@code links:write} to the links
 * the key created itself (Shlink's "author only"), so it needs one of them and makes no sense
 * with {@code admin}. {@code metrics} only reads {@code /metrics} on the main port (for a scraper
 * that cannot reach the management port).
 */
public enum Scope {
    LINKS_READ("links:read"),
    LINKS_WRITE("links:write"),
    LINKS_OWN("links:own"),
    METRICS("metrics"),
    ADMIN("admin");

    private final String label;

    Scope(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static Scope parse(String label) {
        for (Scope s : values()) {
            if (s.label.equals(label.strip())) return s;
        }
        throw new IllegalArgumentException("unknown scope '" + label + "': expected one of "
                + Arrays.stream(values()).map(Scope::label).collect(Collectors.joining(", ")));
    }

    /** Parses "links:read,links:write". */
    public static Set<Scope> parseAll(String csv) {
        Set<Scope> out = EnumSet.noneOf(Scope.class);
        for (String part : csv.split(",")) {
            if (!part.isBlank()) out.add(parse(part));
        }
        if (out.isEmpty()) throw new IllegalArgumentException("at least one scope is needed");
        return out;
    }

    public static String format(Set<Scope> scopes) {
        return scopes.stream().map(Scope::label).sorted().collect(Collectors.joining(","));
    }
}
