package dev.kurz.abuse;

import dev.kurz.link.Link;
import dev.kurz.link.LinkBlock;
import dev.kurz.link.LinkListener;
import dev.kurz.link.LinkNotFoundException;
import dev.kurz.link.LinkRules;
import dev.kurz.link.LinkService;
import dev.kurz.link.LinkStore;
import dev.kurz.problem.ProblemException;
import dev.kurz.problem.ProblemException.FieldError;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** Blocked links (an admin's block and unblock) and abuse reports. Blocking calls. */
public final class Abuse {
    public static final int MAX_REASON = 2000;
    public static final int MAX_EMAIL = 254;
    public static final int MAX_PAGE = 1000;
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s.]+(\\.[^@\\s.]+)+");

    private final LinkStore store;
    private final LinkService links;
    private final LinkListener listener;
    private final ReportStore reports;
    private final InstantSource clock;
    private final String ownHost;
    private volatile Predicate<String> reportLimit = ip -> true;

    /** @param ownHost the host of KURZ_BASE_URL: a reported short URL there names a slug */
    public Abuse(LinkStore store, LinkService links, LinkListener listener, ReportStore reports, InstantSource clock, String ownHost) {
        this.store = store;
        this.links = links;
        this.listener = listener;
        this.reports = reports;
        this.clock = clock;
        this.ownHost = ownHost == null ? null : ownHost.toLowerCase(Locale.ROOT);
    }

    /** The rate limit on reports: client IP → whether it may send one now. Allows everything by default. */
    public Abuse limitReports(Predicate<String> allowed) {
        this.reportLimit = allowed;
        return this;
    }

    public boolean mayReport(String clientIp) {
        return reportLimit.test(clientIp == null ? "" : clientIp);
    }

    // ---- blocked links ----

    /** Blocks a link by hand; every node stops redirecting it. {@code slug} is the link's key ({@link dev.kurz.link.LinkKeys}). */
    public Link block(String slug, String reason) {
        String r = reason == null ? "" : reason.strip();
        if (r.isEmpty() || r.length() > MAX_REASON || hasControl(r, false)) {
            String why = "is required: 1 to " + MAX_REASON + " characters without control characters";
            throw new ProblemException("validation", "Invalid block", 400, "reason: " + why, List.of(new FieldError("reason", why)));
        }
        return changeBlock(slug, LinkBlock.admin(r, clock.instant()));
    }

    /** Lifts an admin's block; a blocklist may still list the destination. */
    public Link unblock(String slug) {
        return changeBlock(slug, null);
    }

    private Link changeBlock(String slug, LinkBlock block) {
        Link stored = store.block(slug, block).orElseThrow(() -> new LinkNotFoundException(slug));
        listener.updated(stored);
        return links.get(slug);
    }

    // ---- reports ----

    /** What a reporter sent, before validation; null means "not given". */
    public record ReportDraft(String url, String slug, String reason, String email) {}

    /** Validates and stores a report. */
    public Report report(ReportDraft d, String clientIp, String requestId) {
        List<FieldError> errors = new ArrayList<>();
        String url = null;
        String slug = null;
        boolean hasUrl = d.url() != null && !d.url().isBlank();
        boolean hasSlug = d.slug() != null && !d.slug().isBlank();
        if (hasUrl == hasSlug) {
            errors.add(new FieldError(hasUrl ? "slug" : "url", hasUrl
                    ? "give either url or slug, not both"
                    : "is required (the reported destination or short URL), or give slug"));
        } else if (hasUrl) {
            try {
                url = LinkRules.normalizeUrl(d.url().strip());
                slug = ownSlug(url);
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("url", e.getMessage()));
            }
        } else {
            slug = d.slug().strip();
            String problem = slug.length() > LinkRules.MAX_SLUG_LENGTH || !slug.matches("[A-Za-z0-9_-]+")
                    ? "must be a slug: up to " + LinkRules.MAX_SLUG_LENGTH + " letters, digits, '-' and '_'" : null;
            if (problem != null) errors.add(new FieldError("slug", problem));
        }
        String reason = d.reason() == null ? "" : d.reason().strip();
        if (reason.isEmpty()) errors.add(new FieldError("reason", "is required: say what is wrong with the link"));
        else if (reason.length() > MAX_REASON) errors.add(new FieldError("reason", "must be at most " + MAX_REASON + " characters"));
        else if (hasControl(reason, true)) errors.add(new FieldError("reason", "must not contain control characters"));
        String email = d.email() == null || d.email().isBlank() ? null : d.email().strip();
        if (email != null && (email.length() > MAX_EMAIL || !EMAIL.matcher(email).matches() || hasControl(email, false))) {
            errors.add(new FieldError("email", "must be an email address such as abuse@example.com (or left out)"));
        }
        if (!errors.isEmpty()) throw new InvalidReportException(errors);
        return reports.insert(new Report(0, url, slug, reason, email, clientIp, requestId, clock.instant()));
    }

    /** A page of reports, newest first; {@code nextCursor} is null on the last page. */
    public record ReportPage(List<Report> items, String nextCursor) {}

    public ReportPage reports(int limit, String cursor) {
        Long before = cursor == null || cursor.isEmpty() ? null : decodeCursor(cursor);
        List<Report> rows = reports.list(limit + 1, before);
        if (rows.size() <= limit) return new ReportPage(rows, null);
        List<Report> items = List.copyOf(rows.subList(0, limit));
        return new ReportPage(items, Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("r" + items.get(items.size() - 1).id()).getBytes(StandardCharsets.UTF_8)));
    }

    private static Long decodeCursor(String cursor) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (s.startsWith("r")) return Long.parseLong(s.substring(1));
        } catch (IllegalArgumentException ignored) {
            // reported below
        }
        throw new ProblemException("bad-request", "Bad request", 400,
                "cursor: not a cursor this API returned; pass nextCursor from the previous page unchanged");
    }

    /** The slug when the URL is a short URL of this instance ({@code https://own.host/slug}), else null. */
    private String ownSlug(String url) {
        if (ownHost == null) return null;
        java.net.URI u = java.net.URI.create(url);
        String path = u.getRawPath();
        if (!ownHost.equals(u.getHost()) || path == null || path.length() < 2 || path.indexOf('/', 1) >= 0) return null;
        String slug = path.substring(1);
        return slug.length() <= LinkRules.MAX_SLUG_LENGTH && slug.matches("[A-Za-z0-9_-]+") ? slug : null;
    }

    private static boolean hasControl(String s, boolean allowLineBreaks) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (allowLineBreaks && (c == '\n' || c == '\r' || c == '\t')) continue;
            if (Character.isISOControl(c)) return true;
        }
        return false;
    }
}
