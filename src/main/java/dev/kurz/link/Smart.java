package dev.kurz.link;

import java.util.List;
import java.util.Map;

/**
 * What makes a link smart: rules (first match wins), variants (a weighted split), a fallback for
 * an expired or exhausted link, UTM parameters and a preview card. Each part is null when the link
 * has none; a link with none of them has no {@code Smart} at all ({@link #orNull}).
 */
public record Smart(List<Rule> rules, List<Variant> variants, String fallbackUrl, Utm utm, Preview preview) {
    public static final int MAX_RULES = 32;
    public static final int MAX_VARIANTS = 16;
    /** How a click records a rule's or a variant's destination: {@code rule:N}, {@code variant:N} (N from 0). */
    public static final String RULE = "rule:", VARIANT = "variant:";

    public Smart {
        rules = rules == null || rules.isEmpty() ? null : List.copyOf(rules);
        variants = variants == null || variants.isEmpty() ? null : List.copyOf(variants);
    }

    /** This, or null when nothing is set. */
    public Smart orNull() {
        return rules == null && variants == null && fallbackUrl == null && utm == null && preview == null ? null : this;
    }

    /**
     * All conditions must hold; each list means "any of"; a null or empty list is no condition.
     * Countries are ISO 3166 alpha-2 upper case, the others lower case.
     */
    public record Condition(List<String> country, List<String> device, List<String> os, List<String> browser, List<String> language,
                            Map<String, String> query) {}

    public record Rule(Condition when, String url) {}

    public record Variant(String url, int weight) {}

    public record Utm(String source, String medium, String campaign, String term, String content) {}

    public record Preview(String title, String description, String image) {}
}
