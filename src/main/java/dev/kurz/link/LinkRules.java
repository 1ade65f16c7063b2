package dev.kurz.link;

import dev.kurz.problem.ProblemException.FieldError;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What Kurz accepts as a link: destination URL, custom slug, title, tags, limits. Every rule
 * answers with the field and a sentence a person understands; nothing invalid reaches storage.
 */
public final class LinkRules {
    public static final int MAX_URL_LENGTH = 8192;
    public static final int MAX_SLUG_LENGTH = 64;
    public static final int MAX_TITLE_LENGTH = 512;
    public static final int MAX_TAGS = 32;
    public static final int MAX_TAG_LENGTH = 64;
    public static final long MAX_CLICK_LIMIT = 1_000_000_000_000L;
    public static final Set<Integer> REDIRECT_TYPES = Set.of(301, 302, 307, 308);
    public static final int DEFAULT_REDIRECT_TYPE = 302;

    /** First path segments Kurz serves itself; compared case-insensitively. */
    public static final Set<String> RESERVED_SLUGS = Set.of(
            "api", "health", "metrics", "app", "docs", "static", "assets", "favicon.ico", "robots.txt",
            "rest", "v4", "yourls-api.php"); // the compatible APIs' paths (dev.kurz.compat.*)

    private final String ownHost;
    private final InstantSource clock;
    private final DestinationScreen screen;
    /** Hosts Kurz serves besides {@code ownHost} (branded domains): destinations there would loop too. */
    private volatile java.util.function.Predicate<String> servedHere = host -> false;

    /** @param ownHost the host of KURZ_BASE_URL: links pointing there would redirect to themselves */
    public LinkRules(String ownHost, InstantSource clock) {
        this(ownHost, clock, DestinationScreen.NONE);
    }

    /** @param screen abuse screening, asked about every destination after the rules here accept it */
    public LinkRules(String ownHost, InstantSource clock, DestinationScreen screen) {
        this.ownHost = ownHost == null ? null : ownHost.toLowerCase(Locale.ROOT);
        this.clock = clock;
        this.screen = screen;
    }

    /** Also refuses destinations on the hosts {@code served} accepts (the branded domains). */
    void alsoServing(java.util.function.Predicate<String> served) {
        this.servedHere = served;
    }

    /** The screening this instance applies; the link service asks it about stored destinations too. */
    public DestinationScreen screen() {
        return screen;
    }

    public NewLink validate(LinkDraft d) {
        List<FieldError> errors = new ArrayList<>();
        String url = null;
        if (d.url() == null || d.url().isBlank()) {
            errors.add(new FieldError("url", "is required"));
        } else {
            url = url(d.url(), errors);
        }
        if (d.slug() != null) {
            String problem = slugProblem(d.slug());
            if (problem != null) errors.add(new FieldError("slug", problem));
        }
        String title = title(d.title(), errors);
        List<String> tags = tags(d.tags(), errors);
        expiry(d.expiresAt(), errors);
        maxClicks(d.maxClicks(), errors);
        redirectType(d.redirectType(), errors);
        Smart smart = d.smart() == null ? null : smart(d.smart(), errors);
        passwordProblem(d.password(), errors);
        if (!errors.isEmpty()) throw new InvalidLinkException(errors);
        return new NewLink(url, d.slug(), title, tags, d.expiresAt(), d.maxClicks(),
                d.redirectType() == null ? DEFAULT_REDIRECT_TYPE : d.redirectType(),
                d.forwardQuery() == null || d.forwardQuery(), null, d.domain(), smart,
                d.password() == null ? null : Passwords.hash(d.password()));
    }

    /** The link after the patch, or every reason the patch cannot apply. */
    public Link apply(Link link, LinkPatch p) {
        List<FieldError> errors = new ArrayList<>();
        String url = link.url();
        if (p.has("url")) {
            if (p.url() == null || p.url().isBlank()) errors.add(new FieldError("url", "cannot be removed"));
            else url = url(p.url(), errors);
        }
        String title = p.has("title") ? title(p.title(), errors) : link.title();
        List<String> tags = p.has("tags") ? tags(p.tags(), errors) : link.tags();
        Instant expiresAt = link.expiresAt();
        if (p.has("expiresAt")) {
            expiry(p.expiresAt(), errors);
            expiresAt = p.expiresAt();
        }
        Long maxClicks = link.maxClicks();
        if (p.has("maxClicks")) {
            maxClicks(p.maxClicks(), errors);
            maxClicks = p.maxClicks();
        }
        int redirectType = link.redirectType();
        if (p.has("redirectType")) {
            if (p.redirectType() == null) errors.add(new FieldError("redirectType", "cannot be removed"));
            else redirectType(p.redirectType(), errors);
            redirectType = p.redirectType() == null ? redirectType : p.redirectType();
        }
        boolean forwardQuery = link.forwardQuery();
        if (p.has("forwardQuery")) {
            if (p.forwardQuery() == null) errors.add(new FieldError("forwardQuery", "cannot be removed"));
            else forwardQuery = p.forwardQuery();
        }
        Smart smart = link.smart();
        if (p.smart() != null) smart = smart(patchedSmart(link.smart(), p), errors);
        String passwordHash = link.passwordHash();
        if (p.has("password")) {
            passwordProblem(p.password(), errors);
            passwordHash = p.password() == null ? null : errors.isEmpty() ? Passwords.hash(p.password()) : null;
        }
        if (!errors.isEmpty()) throw new InvalidLinkException(errors);
        return new Link(link.id(), link.slug(), url, title, tags, expiresAt, maxClicks, redirectType, forwardQuery,
                link.createdAt(), clock.instant(), link.clicks(), link.createdBy(), link.blocked(), link.domain(), smart, passwordHash);
    }

    /** The link's smart parts with the patch's present ones replacing theirs (null: cleared). */
    private static Smart patchedSmart(Smart now, LinkPatch p) {
        Smart n = now == null ? new Smart(null, null, null, null, null) : now;
        Smart q = p.smart();
        return new Smart(p.has("rules") ? q.rules() : n.rules(), p.has("variants") ? q.variants() : n.variants(),
                p.has("fallbackUrl") ? q.fallbackUrl() : n.fallbackUrl(), p.has("utm") ? q.utm() : n.utm(),
                p.has("preview") ? q.preview() : n.preview());
    }

    private static void passwordProblem(String password, List<FieldError> errors) {
        if (password == null) return;
        if (password.isEmpty() || password.length() > Passwords.MAX_LENGTH) {
            errors.add(new FieldError("password", "must be 1 to " + Passwords.MAX_LENGTH + " characters (null removes it)"));
        }
    }

    /**
     * The smart parts checked and normalized (null when nothing is left): every URL like the
     * link's own and screened, countries upper case, the other conditions lower case, weights
     * summing to 100.
     */
    Smart smart(Smart s, List<FieldError> errors) {
        List<Smart.Rule> rules = null;
        if (s.rules() != null) {
            if (s.rules().size() > Smart.MAX_RULES) errors.add(new FieldError("rules", "at most " + Smart.MAX_RULES + " rules per link"));
            rules = new ArrayList<>();
            for (int i = 0; i < s.rules().size(); i++) {
                Smart.Rule r = s.rules().get(i);
                String f = "rules[" + i + "]";
                Smart.Condition c = r.when();
                Smart.Condition normalized = new Smart.Condition(
                        words(c.country(), f + ".if.country", true, w -> w.length() == 2 && w.chars().allMatch(ch -> ch >= 'A' && ch <= 'Z'),
                                "each country must be an ISO 3166 two-letter code such as DE", errors),
                        words(c.device(), f + ".if.device", false, DEVICES::contains, "each device must be one of " + String.join(", ", DEVICES), errors),
                        words(c.os(), f + ".if.os", false, w -> !w.isBlank() && w.length() <= 64, "each OS must be 1 to 64 characters", errors),
                        words(c.browser(), f + ".if.browser", false, w -> !w.isBlank() && w.length() <= 64, "each browser must be 1 to 64 characters", errors),
                        words(c.language(), f + ".if.language", false,
                                w -> w.length() >= 2 && w.length() <= 8 && w.chars().allMatch(ch -> ch >= 'a' && ch <= 'z'),
                                "each language must be a primary language subtag such as de or fr", errors),
                        c.query() == null || c.query().isEmpty() ? null : c.query());
                if (normalized.query() != null && normalized.query().keySet().stream().anyMatch(k -> k.isEmpty() || k.length() > 128)) {
                    errors.add(new FieldError(f + ".if.query", "parameter names must be 1 to 128 characters"));
                }
                rules.add(new Smart.Rule(normalized, required(f + ".url", r.url(), errors)));
            }
        }
        List<Smart.Variant> variants = null;
        if (s.variants() != null) {
            variants = new ArrayList<>();
            int sum = 0;
            if (s.variants().size() > Smart.MAX_VARIANTS) errors.add(new FieldError("variants", "at most " + Smart.MAX_VARIANTS + " variants per link"));
            for (int i = 0; i < s.variants().size(); i++) {
                Smart.Variant v = s.variants().get(i);
                String f = "variants[" + i + "]";
                if (v.weight() < 1 || v.weight() > 100) errors.add(new FieldError(f + ".weight", "must be a whole number from 1 to 100"));
                sum += v.weight();
                variants.add(new Smart.Variant(required(f + ".url", v.url(), errors), v.weight()));
            }
            if (!variants.isEmpty() && sum != 100) errors.add(new FieldError("variants", "weights must sum to 100, not " + sum));
        }
        String fallback = s.fallbackUrl() == null ? null : required("fallbackUrl", s.fallbackUrl(), errors);
        Smart.Utm utm = s.utm();
        if (utm != null) {
            utm = new Smart.Utm(utmValue("utm.source", utm.source(), errors), utmValue("utm.medium", utm.medium(), errors),
                    utmValue("utm.campaign", utm.campaign(), errors), utmValue("utm.term", utm.term(), errors),
                    utmValue("utm.content", utm.content(), errors));
            if (utm.source() == null && utm.medium() == null && utm.campaign() == null && utm.term() == null && utm.content() == null) utm = null;
        }
        Smart.Preview preview = s.preview();
        if (preview != null) {
            String image = null;
            if (preview.image() != null && !preview.image().isBlank()) {
                try {
                    image = normalizeUrl(preview.image());
                } catch (IllegalArgumentException e) {
                    errors.add(new FieldError("preview.image", e.getMessage()));
                }
            }
            preview = new Smart.Preview(text("preview.title", preview.title(), MAX_TITLE_LENGTH, errors),
                    text("preview.description", preview.description(), 1024, errors), image);
            if (preview.title() == null && preview.description() == null && preview.image() == null) preview = null;
        }
        return new Smart(rules, variants, fallback, utm, preview).orNull();
    }

    /** The devices {@code UserAgents} tells apart. */
    public static final List<String> DEVICES = List.of("desktop", "mobile", "tablet", "bot", "other");

    private static List<String> words(List<String> in, String f, boolean upper, java.util.function.Predicate<String> ok, String why,
                                      List<FieldError> errors) {
        if (in == null || in.isEmpty()) return null;
        List<String> out = new ArrayList<>(in.size());
        for (String w : in) {
            String n = upper ? w.strip().toUpperCase(Locale.ROOT) : w.strip().toLowerCase(Locale.ROOT);
            if (!ok.test(n)) {
                errors.add(new FieldError(f, why));
                return null;
            }
            out.add(n);
        }
        return List.copyOf(out);
    }

    private String required(String field, String raw, List<FieldError> errors) {
        if (raw == null || raw.isBlank()) {
            errors.add(new FieldError(field, "is required"));
            return null;
        }
        return url(field, raw, errors);
    }

    private static String utmValue(String f, String v, List<FieldError> errors) {
        return text(f, v, 256, errors);
    }

    private static String text(String f, String v, int max, List<FieldError> errors) {
        if (v == null || v.isBlank()) return null;
        String t = v.strip();
        if (t.length() > max || t.chars().anyMatch(Character::isISOControl) || unreadable(t)) {
            errors.add(new FieldError(f, "must be at most " + max + " characters without control or invisible characters"));
        }
        return t;
    }

    /** Null when the custom slug is acceptable, else why not. */
    public static String slugProblem(String slug) {
        if (slug.isEmpty()) return "must not be empty";
        if (slug.length() > MAX_SLUG_LENGTH) return "must be at most " + MAX_SLUG_LENGTH + " characters";
        for (int i = 0; i < slug.length(); i++) {
            char c = slug.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok) return "may contain only letters A-Z and a-z, digits, '-' and '_'";
        }
        if (isReserved(slug)) return "'" + slug + "' is reserved for Kurz's own pages";
        return null;
    }

    /** Case-insensitive; allocation-free because the redirect path asks it for every request. */
    public static boolean isReserved(String slug) {
        int n = slug.length();
        if (n < RESERVED_MIN || n > RESERVED_MAX) return false;
        for (String r : RESERVED_ORDERED) {
            if (r.length() == n && r.regionMatches(true, 0, slug, 0, n)) return true;
        }
        return false;
    }

    private static final String[] RESERVED_ORDERED = RESERVED_SLUGS.toArray(String[]::new);
    private static final int RESERVED_MIN = RESERVED_SLUGS.stream().mapToInt(String::length).min().orElse(0);
    private static final int RESERVED_MAX = RESERVED_SLUGS.stream().mapToInt(String::length).max().orElse(0);

    /** Checks and normalizes a destination URL; adds an error and returns null when it is not acceptable. */
    String url(String raw, List<FieldError> errors) {
        return url("url", raw, errors);
    }

    /** {@link #url(String, List)} for another field holding a destination (rule, variant, fallback, domain redirects). */
    public String url(String field, String raw, List<FieldError> errors) {
        String problem = null;
        String normalized = null;
        try {
            normalized = normalizeUrl(raw);
        } catch (IllegalArgumentException e) {
            problem = e.getMessage();
        }
        if (problem == null && ownHost != null && ownHost.equals(hostOf(normalized))) {
            problem = "must not point at this Kurz instance (" + ownHost + "): the link would redirect to itself";
        } else if (problem == null && servedHere.test(hostOf(normalized))) {
            problem = "must not point at a domain this Kurz serves (" + hostOf(normalized) + "): the link would redirect to itself";
        }
        if (problem != null) {
            errors.add(new FieldError(field, problem));
            return null;
        }
        String refusal = screen.refusal(normalized, hostOf(normalized));
        if (refusal != null) throw new BlockedDestinationException(refusal);
        return normalized;
    }

    /**
     * The URL in the form Kurz stores and sends in {@code Location}: scheme and host lower-cased,
     * international host names in their ASCII (punycode) form, non-ASCII path characters
     * percent-encoded as UTF-8.
     *
     * @throws IllegalArgumentException with the reason, when the URL is not acceptable
     */
    public static String normalizeUrl(String raw) {
        if (raw.length() > MAX_URL_LENGTH) throw new IllegalArgumentException("must be at most " + MAX_URL_LENGTH + " characters");
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c) || Character.isSpaceChar(c)) {
                throw new IllegalArgumentException("must not contain whitespace or control characters");
            }
            if (isInvisible(c)) {
                // IDN would drop a zero-width space inside a host: pay\u200Bpal.com would become paypal.com.
                throw new IllegalArgumentException("must not contain invisible or text-direction characters (U+"
                        + String.format("%04X", (int) c) + ")");
            }
        }
        if (unreadable(raw)) throw new IllegalArgumentException("must not contain unpaired UTF-16 surrogates");
        int sep = raw.indexOf("://");
        if (sep <= 0) throw new IllegalArgumentException("must be an absolute URL starting with http:// or https://");
        String scheme = raw.substring(0, sep).toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("must use http or https, not '" + truncate(scheme) + "'");
        }
        int authorityEnd = raw.length();
        for (int i = sep + 3; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                authorityEnd = i;
                break;
            }
        }
        String authority = raw.substring(sep + 3, authorityEnd);
        if (authority.indexOf('@') >= 0) {
            throw new IllegalArgumentException("must not contain a user name or password (user:password@host is a phishing pattern)");
        }
        if (authority.isEmpty()) throw new IllegalArgumentException("must have a host");
        String host;
        String port = null;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) throw new IllegalArgumentException("has an invalid IPv6 address");
            host = Hosts.canonical(authority.substring(0, close + 1));
            String after = authority.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) throw new IllegalArgumentException("has an invalid host");
                port = after.substring(1);
            }
        } else {
            int colon = authority.lastIndexOf(':');
            host = colon >= 0 ? authority.substring(0, colon) : authority;
            if (colon >= 0) port = authority.substring(colon + 1);
            if (host.endsWith(".")) host = host.substring(0, host.length() - 1);
            if (host.isEmpty()) throw new IllegalArgumentException("must have a host");
            // As a browser reads it (UTS #46, IPv4 in every numeric form): the host checked and stored is the one connected to.
            host = Hosts.canonical(host);
        }
        if (port != null) {
            if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(ch -> ch >= '0' && ch <= '9')
                    || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                throw new IllegalArgumentException("has an invalid port '" + truncate(port) + "'");
            }
        }
        String rest = encodeNonAscii(raw.substring(authorityEnd));
        String result = scheme + "://" + host + (port == null ? "" : ":" + port) + rest;
        if (result.length() > MAX_URL_LENGTH) {
            throw new IllegalArgumentException("must be at most " + MAX_URL_LENGTH + " characters once normalized");
        }
        try {
            URI u = new URI(result);
            if (u.getHost() == null) throw new IllegalArgumentException("has an invalid host");
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("is not a valid URL: " + e.getReason());
        }
        return result;
    }

    static String hostOf(String normalizedUrl) {
        return URI.create(normalizedUrl).getHost();
    }

    private static String encodeNonAscii(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean plain = c < 0x80 && "\"<>\\^`{|}".indexOf(c) < 0;
            if (plain) {
                if (out != null) out.append(c);
                continue;
            }
            if (out == null) out = new StringBuilder(s.length() + 16).append(s, 0, i);
            int cp = s.codePointAt(i);
            if (Character.isSupplementaryCodePoint(cp)) i++;
            for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
                out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xF, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xF, 16)));
            }
        }
        return out == null ? s : out.toString();
    }

    private static String title(String title, List<FieldError> errors) {
        if (title == null) return null;
        String t = title.strip();
        if (t.isEmpty()) return null;
        if (t.length() > MAX_TITLE_LENGTH) {
            errors.add(new FieldError("title", "must be at most " + MAX_TITLE_LENGTH + " characters"));
        } else if (t.chars().anyMatch(Character::isISOControl)) {
            errors.add(new FieldError("title", "must not contain control characters"));
        } else if (unreadable(t)) {
            errors.add(new FieldError("title", "must not contain invisible or text-direction characters (zero-width, bidi overrides)"));
        }
        return t;
    }

    private static List<String> tags(List<String> tags, List<FieldError> errors) {
        if (tags == null) return List.of();
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (String raw : tags) {
            String t = raw == null ? "" : raw.strip();
            if (t.isEmpty() || t.length() > MAX_TAG_LENGTH) {
                errors.add(new FieldError("tags", "each tag must be 1 to " + MAX_TAG_LENGTH + " characters"));
                return List.of();
            }
            if (t.indexOf(',') >= 0 || t.chars().anyMatch(Character::isISOControl) || unreadable(t)) {
                errors.add(new FieldError("tags", "tag '" + truncate(unreadable(t) ? "…" : t)
                        + "' must not contain commas, control, invisible or text-direction characters"));
                return List.of();
            }
            out.add(t);
        }
        if (out.size() > MAX_TAGS) {
            errors.add(new FieldError("tags", "at most " + MAX_TAGS + " tags per link"));
            return List.of();
        }
        return List.copyOf(out);
    }

    private void expiry(Instant expiresAt, List<FieldError> errors) {
        if (expiresAt != null && !expiresAt.isAfter(clock.instant())) {
            errors.add(new FieldError("expiresAt", "must be in the future"));
        }
    }

    private static void maxClicks(Long maxClicks, List<FieldError> errors) {
        if (maxClicks != null && (maxClicks < 1 || maxClicks > MAX_CLICK_LIMIT)) {
            errors.add(new FieldError("maxClicks", "must be a whole number from 1 to " + MAX_CLICK_LIMIT));
        }
    }

    private static void redirectType(Integer type, List<FieldError> errors) {
        if (type != null && !REDIRECT_TYPES.contains(type)) {
            errors.add(new FieldError("redirectType", "must be one of 301, 302, 307 or 308"));
        }
    }

    /**
     * Format characters (Unicode category Cf: zero-width space and joiners, bidi embeddings,
     * overrides and isolates, the BOM, soft hyphen…), which change how text reads without being seen,
     * plus noncharacters that no honest text carries.
     */
    static boolean isInvisible(int c) {
        return Character.getType(c) == Character.FORMAT || c == 0xFFFE || c == 0xFFFF;
    }

    /** Invisible characters, or a half of a surrogate pair without its other half (JSON can write one as \\uD800). */
    static boolean unreadable(String t) {
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (isInvisible(c)) return true;
            if (Character.isHighSurrogate(c) && i + 1 < t.length() && Character.isLowSurrogate(t.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private static String truncate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
