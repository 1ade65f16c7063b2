package dev.kurz.link;

import dev.kurz.problem.ProblemException;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** The link lifecycle: create (custom or generated slug), read, list, patch, delete. Blocking. */
public final class LinkService {
    public static final int MAX_PAGE = 1000;
    public static final int DEFAULT_PAGE = 50;
    public static final int MAX_BATCH = 1000;
    private static final int COUNTER_BLOCK = 1000;

    private final LinkStore store;
    private final LinkRules rules;
    private final InstantSource clock;
    private final SlugGenerator slugs;
    private final LinkListener listener;
    private final PendingClicks pending;
    private volatile DomainService domains;

    public LinkService(LinkStore store, LinkRules rules, SlugPermutation permutation, InstantSource clock, LinkListener listener) {
        this(store, rules, permutation, clock, listener, PendingClicks.NONE);
    }

    /** @param pending clicks not yet in the store's counters: added to every link returned */
    public LinkService(LinkStore store, LinkRules rules, SlugPermutation permutation, InstantSource clock, LinkListener listener,
                       PendingClicks pending) {
        this.pending = pending;
        this.store = store;
        this.rules = rules;
        this.clock = clock;
        this.slugs = new SlugGenerator(store, permutation, COUNTER_BLOCK);
        this.listener = listener;
    }

    /** Links may live on these domains too (without: the default domain only). */
    public LinkService withDomains(DomainService d) {
        this.domains = d;
        return this;
    }

    /** The validated draft on its domain (null: the default one). */
    private NewLink valid(LinkDraft draft, Long createdBy) {
        NewLink link = rules.validate(draft).createdBy(createdBy);
        if (draft.domain() == null) return link;
        DomainService d = domains;
        if (d == null) throw InvalidLinkException.of("domain", "this Kurz serves its default domain only");
        return link.onDomain(d.resolve(draft.domain()));
    }

    /** The key of {@code slug} on the domain asked for ({@code ?domain=}; null or the default host: the default domain). */
    public String key(String domain, String slug) {
        DomainService d = domains;
        if (domain == null || domain.isBlank() || d == null) return slug;
        return LinkKeys.of(d.resolve(domain), slug);
    }

    /** One outcome of a batch: the link, or the problem that stopped it. */
    public record BatchResult(Link link, ProblemException problem) {}

    public Link create(LinkDraft draft) {
        return create(draft, null);
    }

    /** Creates a link recorded as made by the API key {@code createdBy} (null: none recorded). */
    public Link create(LinkDraft draft, Long createdBy) {
        NewLink link = valid(draft, createdBy);
        Link created = link.slug() != null ? store.insert(link, clock.instant()) : insertGenerated(link);
        listener.created(created);
        return created;
    }

    /** Creates each valid draft; one bad item never stops the others. */
    public List<BatchResult> createAll(List<LinkDraft> drafts) {
        return createAll(drafts, null);
    }

    public List<BatchResult> createAll(List<LinkDraft> drafts, Long createdBy) {
        List<BatchResult> results = new ArrayList<>(drafts.size());
        for (LinkDraft d : drafts) {
            try {
                results.add(new BatchResult(create(d, createdBy), null));
            } catch (ProblemException e) {
                results.add(new BatchResult(null, e));
            }
        }
        return results;
    }

    /**
     * Creates the drafts like {@link #createAll(List, Long)}, but in one transaction together with
     * the receipt {@code answer} makes of the outcomes (null: store none), so a crash leaves either
     * nothing or every link with its receipt. Slugs are drawn up front: the transaction holds
     * SQLite's only writer, which leasing a counter block would need.
     */
    public List<BatchResult> createAllAtomically(List<LinkDraft> drafts, Long createdBy,
                                                 java.util.function.Function<List<BatchResult>, dev.kurz.idempotency.Receipt> answer) {
        List<ProblemException> invalid = new ArrayList<>(drafts.size());
        List<NewLink> valid = new ArrayList<>(drafts.size());
        int generated = 0;
        for (LinkDraft d : drafts) {
            try {
                NewLink l = valid(d, createdBy);
                valid.add(l);
                invalid.add(null);
                if (l.slug() == null) generated++;
            } catch (ProblemException e) {
                invalid.add(e);
            }
        }
        List<String> slugPool = new ArrayList<>(generated + 16);
        for (int i = 0; i < generated + (generated > 0 ? 16 : 0); i++) slugPool.add(slugs.next());
        List<Link> stored = store.insertAll(valid, clock.instant(), slugPool.iterator(),
                links -> answer.apply(outcomes(invalid, valid, links)));
        List<BatchResult> results = outcomes(invalid, valid, stored);
        for (Link l : stored) if (l != null) listener.created(l);
        return results;
    }

    /**
     * {@code n} generated slugs, for callers that store links themselves (imports) and must draw
     * them before their transaction. Blocking.
     */
    public List<String> drawSlugs(int n) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(slugs.next());
        return out;
    }

    private static List<BatchResult> outcomes(List<ProblemException> invalid, List<NewLink> valid, List<Link> stored) {
        List<BatchResult> out = new ArrayList<>(invalid.size());
        int v = 0;
        for (ProblemException p : invalid) {
            if (p != null) {
                out.add(new BatchResult(null, p));
                continue;
            }
            Link l = stored.get(v);
            out.add(l != null ? new BatchResult(l, null) : new BatchResult(null, new SlugTakenException(valid.get(v).slug())));
            v++;
        }
        return out;
    }

    public Link get(String slug) {
        return get(slug, null);
    }

    /**
     * The link, when the caller may see it: {@code visibleTo} is the key id of a caller limited to
     * its own links (null: any link). Others' links are "not found", not "forbidden": their
     * existence stays private.
     */
    public Link get(String slug, Long visibleTo) {
        return pending.atOneMoment(() -> store.find(slug).filter(l -> l.visibleTo(visibleTo)).map(this::counted))
                .orElseThrow(() -> new LinkNotFoundException(slug));
    }

    /** The link with its clicks not yet stored, and the block a blocklist puts on it now (an admin's block comes stored). */
    private Link counted(Link l) {
        Link c = l.plusClicks(pending.of(l.id()));
        if (c.blocked() != null) return c;
        LinkBlock listed = rules.screen().listed(c.url());
        return listed == null ? c : c.withBlock(listed);
    }

    public Link update(String slug, LinkPatch patch) {
        return change(slug, patch, null).after();
    }

    /** A link before and after a change. */
    public record Change(Link before, Link after) {}

    /** Applies a patch to a link the caller may see (see {@link #get(String, Long)}). */
    public Change change(String slug, LinkPatch patch, Long visibleTo) {
        // A click limit is enforced against the stored counter: bring it up to date first, or the
        // link could pass its limit by the clicks still pending.
        if (patch.has("maxClicks")) pending.settle();
        Link current = get(slug, visibleTo);
        Link next = rules.apply(current, patch);
        // Not at one moment: the read lock of a fold must never be held while waiting for SQLite's writer.
        Link stored = store.update(next).map(this::counted).orElseThrow(() -> new LinkNotFoundException(slug));
        listener.updated(stored);
        return new Change(current, stored);
    }

    public void delete(String slug) {
        if (!store.delete(slug)) throw new LinkNotFoundException(slug);
        listener.deleted(slug);
    }

    /** Deletes a link the caller may see (see {@link #get(String, Long)}); returns it as it was. */
    public Link remove(String slug, Long visibleTo) {
        Link current = get(slug, visibleTo);
        if (!store.delete(slug)) throw new LinkNotFoundException(slug);
        listener.deleted(slug);
        return current;
    }

    /** Of these link keys (slug, or host/slug on a branded domain), the ones a caller limited to the links of key {@code keyId} may see. */
    public java.util.Set<String> visibleAmong(java.util.Collection<String> slugs, long keyId) {
        return store.createdByAmong(slugs, keyId);
    }

    /** A page of links, newest first; {@code nextCursor} is null on the last page. */
    public record Page(List<Link> items, String nextCursor) {}

    public Page list(int limit, String cursor, String tag, String text) {
        return list(limit, cursor, tag, text, null);
    }

    /** A page of the links the caller may see (see {@link #get(String, Long)}). */
    public Page list(int limit, String cursor, String tag, String text, Long visibleTo) {
        return list(limit, cursor, tag, text, visibleTo, null, null);
    }

    /**
     * The same, only those of {@code domain} when that is given (the default host: the default
     * domain) and whose health is {@code health} (ok, broken, unknown; null: any).
     */
    public Page list(int limit, String cursor, String tag, String text, Long visibleTo, String domain, String health) {
        Long before = cursor == null || cursor.isEmpty() ? null : decodeCursor(cursor);
        LinkStore.DomainFilter only = domain == null || domain.isBlank() ? null
                : new LinkStore.DomainFilter(domains == null ? null : domains.resolve(domain));
        List<Link> rows = pending.atOneMoment(() -> store.list(new LinkStore.LinkQuery(limit + 1, before, blankToNull(tag),
                blankToNull(text), visibleTo, only, health)).stream().map(this::counted).toList());
        if (rows.size() <= limit) return new Page(rows, null);
        List<Link> items = rows.subList(0, limit);
        return new Page(List.copyOf(items), encodeCursor(items.get(items.size() - 1).id()));
    }

    private Link insertGenerated(NewLink link) {
        // A generated slug is unique among generated ones by construction; it can only meet a
        // custom slug someone chose by hand, which is rare: take the next one.
        for (int attempt = 0; ; attempt++) {
            try {
                return store.insert(link.withSlug(slugs.next()), clock.instant());
            } catch (SlugTakenException e) {
                if (attempt == 16) throw e;
            }
        }
    }

    static String encodeCursor(long id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("i" + id).getBytes(StandardCharsets.UTF_8));
    }

    static Long decodeCursor(String cursor) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (s.startsWith("i")) return Long.parseLong(s.substring(1));
        } catch (IllegalArgumentException ignored) {
            // reported below
        }
        throw new ProblemException("bad-request", "Bad request", 400,
                "cursor: not a cursor this API returned; pass nextCursor from the previous page unchanged");
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
