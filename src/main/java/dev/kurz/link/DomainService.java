package dev.kurz.link;

import dev.kurz.problem.ProblemException.FieldError;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The branded domains: create, read, patch, delete, and the in-memory map the redirect path reads
 * ({@link #lookup}). The map is replaced whole after every change, here ({@link #reload} after the
 * commit) and on other nodes (told through the same channel as link changes), so a read is one
 * volatile load and a hash look-up. Blocking except {@link #lookup} and {@link #none}.
 */
public final class DomainService {
    public static final Set<String> FIELDS = Set.of("host", "rootRedirect", "notFoundRedirect");
    private final DomainStore store;
    private final LinkRules rules;
    private final InstantSource clock;
    private final String defaultHost;
    private volatile Map<String, Domain> byHost = Map.of();
    private volatile Consumer<String> changed = host -> {};

    /** @param defaultHost the host of KURZ_BASE_URL: the default domain, never stored as a domain */
    public DomainService(DomainStore store, LinkRules rules, InstantSource clock, String defaultHost) {
        this.store = store;
        this.rules = rules;
        this.clock = clock;
        this.defaultHost = defaultHost.toLowerCase(Locale.ROOT);
        rules.alsoServing(host -> host != null && byHost.containsKey(host));
    }

    /** Told (with the host) after a change is committed here. */
    public DomainService onChange(Consumer<String> listener) {
        this.changed = listener;
        return this;
    }

    public String defaultHost() {
        return defaultHost;
    }

    /** Reads every domain again (after a change here or on another node). */
    public void reload() {
        Map<String, Domain> m = new HashMap<>();
        for (Domain d : store.list()) m.put(d.host(), d);
        byHost = Map.copyOf(m);
    }

    /** True when there are no domains but the default: requests need not look at their Host. */
    public boolean none() {
        return byHost.isEmpty();
    }

    /** The domain of a request's host (lower case, no port), or null for the default domain and unknown hosts. */
    public Domain lookup(String host) {
        return host == null ? null : byHost.get(host);
    }

    /**
     * The domain a link is asked for by ({@code ?domain=} or its {@code domain} field): null for the
     * default domain (absent, blank or the default host), else the canonical host of a known domain.
     */
    public String resolve(String host) {
        if (host == null || host.isBlank()) return null;
        String h = host.strip().toLowerCase(Locale.ROOT);
        if (h.equals(defaultHost)) return null;
        if (!byHost.containsKey(h) && store.find(h).isEmpty()) {
            throw InvalidLinkException.of("domain", "'" + truncate(h) + "' is not a domain of this Kurz; add it with POST /api/v1/domains");
        }
        return h;
    }

    public List<Domain> list() {
        return store.list();
    }

    public Domain get(String host) {
        return store.find(host.toLowerCase(Locale.ROOT)).orElseThrow(() -> DomainException.notFound(host));
    }

    public Domain create(String host, String rootRedirect, String notFoundRedirect) {
        List<FieldError> errors = new ArrayList<>();
        String h = host(host, errors);
        Domain d = new Domain(h, redirect("rootRedirect", rootRedirect, h, errors), redirect("notFoundRedirect", notFoundRedirect, h, errors),
                clock.instant());
        if (!errors.isEmpty()) throw new InvalidLinkException(errors);
        if (!store.insert(d)) throw DomainException.taken(h);
        committed(h);
        return d;
    }

    /** Sets the redirects named in {@code present} (null clears one). */
    public Domain patch(String host, Set<String> present, String rootRedirect, String notFoundRedirect) {
        Domain now = get(host);
        List<FieldError> errors = new ArrayList<>();
        if (present.contains("host")) errors.add(new FieldError("host", "cannot be changed; create a new domain instead"));
        Domain next = new Domain(now.host(),
                present.contains("rootRedirect") ? redirect("rootRedirect", rootRedirect, now.host(), errors) : now.rootRedirect(),
                present.contains("notFoundRedirect") ? redirect("notFoundRedirect", notFoundRedirect, now.host(), errors) : now.notFoundRedirect(),
                now.createdAt());
        if (!errors.isEmpty()) throw new InvalidLinkException(errors);
        if (!store.update(next)) throw DomainException.notFound(host);
        committed(now.host());
        return next;
    }

    public void delete(String host) {
        Domain d = get(host);
        long links = store.links(d.host());
        if (links > 0) throw DomainException.inUse(d.host(), links);
        if (!store.delete(d.host())) throw DomainException.notFound(host);
        committed(d.host());
    }

    private void committed(String host) {
        reload();
        changed.accept(host);
    }

    private String host(String raw, List<FieldError> errors) {
        if (raw == null || raw.isBlank()) {
            errors.add(new FieldError("host", "is required"));
            return null;
        }
        String h = raw.strip().toLowerCase(Locale.ROOT);
        boolean shape = h.length() <= 253 && h.indexOf('.') > 0 && !h.endsWith(".")
                && h.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.');
        if (!shape) {
            errors.add(new FieldError("host", "must be a host name such as go.example.com (ASCII, punycode for international names; no port)"));
            return null;
        }
        if (h.equals(defaultHost)) errors.add(new FieldError("host", "is the default domain already (the host of KURZ_BASE_URL)"));
        return h;
    }

    /**
     * A redirect of domain {@code host}. The link rules refuse the default host and every domain
     * already served; the domain's own host is checked here because a domain being created is not
     * served yet, and its redirect there would answer itself forever.
     */
    private String redirect(String field, String raw, String host, List<FieldError> errors) {
        if (raw == null || raw.isBlank()) return null;
        String url = rules.url(field, raw, errors);
        if (url != null && host != null && host.equals(LinkRules.hostOf(url))) {
            errors.add(new FieldError(field, "must not point at this domain (" + host + "): the redirect would loop"));
            return null;
        }
        return url;
    }

    private static String truncate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }
}
