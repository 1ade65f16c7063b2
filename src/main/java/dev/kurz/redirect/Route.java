package dev.kurz.redirect;

import com.github.benmanes.caffeine.cache.Interner;
import dev.kurz.link.Link;
import dev.kurz.link.Smart;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A smart link compiled for the redirect path: made once when the link is cached ({@link Target#of}),
 * immutable, and null for a link with nothing smart, so plain links pay one null check. Conditions
 * are arrays of interned lower-case strings compared in order (a rule holds a handful), variants a
 * table of cumulative weights, UTM parameters pre-encoded.
 */
public final class Route {
    /** What the request offers a rule; computed lazily by the caller, as only the conditions asked for need it. */
    public interface Visitor {
        /** ISO 3166 alpha-2, upper case; null when unknown. */
        String country();

        /** desktop, mobile, tablet, bot or other (lower case). */
        String device();

        String os();

        String browser();

        /** Primary language subtags in the visitor's order of preference (lower case). */
        List<String> languages();

        /** The request's query parameter, or null. */
        String param(String name);

        /** Stable for one visitor for one UTC day, the same on every node ({@code VisitorHasher.seed}: keyed by the day's salt). */
        long seed();
    }

    /** The destination chosen and how: {@code label} is "rule:N", "variant:N" or null for the link's own URL. */
    public record Choice(String url, String label) {}

    private record Rule(String[] country, String[] device, String[] os, String[] browser, String[] language, String[] queryNames,
                        String[] queryValues) {
        boolean holds(Visitor v) {
            if (country != null && !any(country, v.country())) return false;
            if (device != null && !any(device, v.device())) return false;
            if (os != null && !anyIgnoringCase(os, v.os())) return false;
            if (browser != null && !anyIgnoringCase(browser, v.browser())) return false;
            if (language != null && !anyLanguage(v.languages())) return false;
            if (queryNames != null) {
                for (int i = 0; i < queryNames.length; i++) {
                    if (!queryValues[i].equals(v.param(queryNames[i]))) return false;
                }
            }
            return true;
        }

        private boolean anyLanguage(List<String> preferred) {
            // The visitor's order of preference decides only which rule's language is met first; any listed one meets it.
            for (String l : preferred) if (any(language, l)) return true;
            return false;
        }
    }

    /**
     * A link's rule conditions, compiled. Equal condition lists share one table ({@link #TABLES}):
     * many links carry the same rules, and a table every redirect of them reads stays in the CPU's
     * cache, where ten thousand copies did not (bench/redirect/smart.sh). The answers (which differ
     * when only the destinations differ) are the link's own, each interned too.
     */
    private static final class Conditions extends Compiled {
        final Rule[] rules;

        Conditions(List<Smart.Condition> source) {
            super(source);
            this.rules = source.stream().map(Route::compile).toArray(Rule[]::new);
        }
    }

    /** Something compiled from a link's settings: equal to another compiled from equal settings (the interners' key). */
    private abstract static class Compiled {
        private final Object source;

        Compiled(Object source) {
            this.source = source;
        }

        @Override
        public final boolean equals(Object o) {
            return o != null && o.getClass() == getClass() && ((Compiled) o).source.equals(source);
        }

        @Override
        public final int hashCode() {
            return source.hashCode();
        }
    }

    /** Variants as cumulative weights and their answers; shared by equal lists like {@link Conditions}. */
    private static final class Variants extends Compiled {
        final int[] cumulative;
        final Choice[] choices;

        Variants(List<Smart.Variant> source) {
            super(List.copyOf(source));
            cumulative = new int[source.size()];
            choices = new Choice[cumulative.length];
            int sum = 0;
            for (int i = 0; i < cumulative.length; i++) {
                sum += source.get(i).weight();
                cumulative[i] = sum;
                choices[i] = ANSWERS.intern(new Choice(source.get(i).url(), (Smart.VARIANT + i).intern()));
            }
        }
    }

    // Weak: a table lives as long as a cached link uses it.
    private static final Interner<Conditions> TABLES = Interner.newWeakInterner();
    private static final Interner<Choice> ANSWERS = Interner.newWeakInterner();
    private static final Interner<Variants> SPLITS = Interner.newWeakInterner();
    private static final Rule[] NO_RULES = new Rule[0];

    // Read on every redirect of the link, so kept together: the rules' table and the variants'.
    private final Rule[] rules;
    private final Choice[] ruleChoices;
    private final int[] cumulative;
    private final Choice[] variantChoices;
    private final Choice own;
    /** Whether a page may answer instead of the redirect (a preview card or a password form). */
    private final boolean gates;
    private final String fallbackUrl;
    private final String[] utmNames;
    private final String[] utmPairs;
    private final Smart.Preview preview;
    private final String passwordHash;

    private Route(Smart s, String passwordHash, String url) {
        this.passwordHash = passwordHash;
        this.own = new Choice(url, null);
        Smart smart = s == null ? new Smart(null, null, null, null, null) : s;
        if (smart.rules() == null || smart.rules().isEmpty()) {
            rules = NO_RULES;
            ruleChoices = null;
        } else {
            rules = TABLES.intern(new Conditions(smart.rules().stream().map(Smart.Rule::when).toList())).rules;
            ruleChoices = new Choice[rules.length];
            // Made once: a redirect allocates no label and no choice, and the analytics aggregate recognises a served target by identity.
            for (int i = 0; i < rules.length; i++) ruleChoices[i] = ANSWERS.intern(new Choice(smart.rules().get(i).url(), (Smart.RULE + i).intern()));
        }
        if (smart.variants() == null || smart.variants().isEmpty()) {
            cumulative = null;
            variantChoices = null;
        } else {
            Variants v = SPLITS.intern(new Variants(smart.variants()));
            cumulative = v.cumulative;
            variantChoices = v.choices;
        }
        this.fallbackUrl = smart.fallbackUrl();
        this.preview = smart.preview();
        this.gates = preview != null || passwordHash != null;
        Smart.Utm u = smart.utm();
        if (u == null) {
            utmNames = null;
            utmPairs = null;
        } else {
            String[][] all = {{"utm_source", u.source()}, {"utm_medium", u.medium()}, {"utm_campaign", u.campaign()}, {"utm_term", u.term()},
                    {"utm_content", u.content()}};
            List<String[]> set = java.util.Arrays.stream(all).filter(p -> p[1] != null).toList();
            utmNames = set.stream().map(p -> p[0]).toArray(String[]::new);
            utmPairs = set.stream().map(p -> p[0] + "=" + URLEncoder.encode(p[1], StandardCharsets.UTF_8)).toArray(String[]::new);
        }
    }

    /** The compiled route of a link, or null when it has nothing smart. */
    public static Route of(Link link) {
        return link.smart() == null && link.passwordHash() == null ? null : new Route(link.smart(), link.passwordHash(), link.url());
    }

    private static Rule compile(Smart.Condition c) {
        Map<String, String> q = c.query();
        return new Rule(array(c.country()), array(c.device()), array(c.os()), array(c.browser()), array(c.language()),
                q == null ? null : q.keySet().toArray(String[]::new), q == null ? null : q.values().toArray(String[]::new));
    }

    private static String[] array(List<String> l) {
        return l == null || l.isEmpty() ? null : l.stream().map(String::intern).toArray(String[]::new);
    }

    /** The first rule that holds, else a variant, else the link's own URL. */
    public Choice choose(Visitor v) {
        for (int i = 0; i < rules.length; i++) {
            if (rules[i].holds(v)) return ruleChoices[i];
        }
        if (cumulative != null) {
            int bucket = (int) Math.floorMod(mix(v.seed()), 100L);
            for (int i = 0; i < cumulative.length; i++) {
                if (bucket < cumulative[i]) return variantChoices[i];
            }
        }
        return own;
    }

    /** The link's own URL, as chosen when nothing smart applies. */
    public Choice own() {
        return own;
    }

    /** Whether a preview card or a password form may answer instead of the redirect. */
    public boolean gates() {
        return gates;
    }

    /** Whether choosing needs the visitor at all (rules or variants). */
    public boolean chooses() {
        return rules.length > 0 || cumulative != null;
    }

    /**
     * The query to send on: the visitor's ({@code forwarded}, null when the link does not forward
     * it), then each UTM parameter the visitor's query does not already carry.
     */
    public String query(String forwarded) {
        if (utmNames == null) return forwarded;
        StringBuilder sb = new StringBuilder(forwarded == null ? "" : forwarded);
        for (int i = 0; i < utmNames.length; i++) {
            if (forwarded != null && hasParam(forwarded, utmNames[i])) continue;
            if (!sb.isEmpty()) sb.append('&');
            sb.append(utmPairs[i]);
        }
        return sb.toString();
    }

    public String fallbackUrl() {
        return fallbackUrl;
    }

    public Smart.Preview preview() {
        return preview;
    }

    public String passwordHash() {
        return passwordHash;
    }

    private static boolean hasParam(String query, String name) {
        int from = 0;
        while (from <= query.length()) {
            int amp = query.indexOf('&', from);
            int end = amp < 0 ? query.length() : amp;
            if (query.startsWith(name, from) && (from + name.length() == end || query.charAt(from + name.length()) == '=')) return true;
            if (amp < 0) return false;
            from = amp + 1;
        }
        return false;
    }

    private static boolean any(String[] values, String v) {
        if (v == null) return false;
        for (String x : values) if (x.equals(v)) return true;
        return false;
    }

    /** {@code values} are lower case already; the visitor's OS or browser name is compared without a lower-cased copy. */
    private static boolean anyIgnoringCase(String[] values, String v) {
        if (v == null) return false;
        for (String x : values) if (x.equalsIgnoreCase(v)) return true;
        return false;
    }

    /** SplitMix64's finalizer: the visitor hash's bits spread evenly over the hundred buckets. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
