package dev.kurz.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kurz.auth.ApiKey;
import dev.kurz.auth.Scope;
import dev.kurz.link.Link;
import dev.kurz.link.LinkStore.LinkQuery;
import dev.kurz.link.NewLink;
import dev.kurz.link.SlugTakenException;
import dev.kurz.storage.jdbc.Database;
import dev.kurz.storage.jdbc.JdbcStore;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The same behaviour from both storage engines, against real databases. */
abstract class JdbcStoreContract {
    static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
    Database db;
    JdbcStore store;

    abstract Database open();

    @BeforeEach
    void setUp() {
        db = open();
        store = new JdbcStore(db);
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    static NewLink link(String slug, String... tags) {
        return new NewLink("https://example.com/" + slug, slug, "Title " + slug, List.of(tags), null, null, 302, true);
    }

    @Test
    void findAll_someKnownSomeNot_returnsTheKnownByKeyAsFindWould() {
        store.insert(link("fa1", "t"), T0);
        store.insert(link("fa2"), T0);
        var found = store.findAll(List.of("fa1", "fa2", "nope"));
        assertThat(found).containsOnlyKeys("fa1", "fa2");
        assertThat(found.get("fa1")).isEqualTo(store.find("fa1").orElseThrow());
        assertThat(store.findAll(List.of())).isEmpty();
    }

    @Test
    void insert_thenFind_roundTripsEveryField() {
        Instant exp = T0.plus(1, ChronoUnit.DAYS);
        Link in = store.insert(new NewLink("https://e.com/x?y=1", "AbC", "T", List.of("a", "b"), exp, 7L, 308, false), T0);
        Link out = store.find("AbC").orElseThrow();
        assertThat(out).isEqualTo(in);
        assertThat(out.expiresAt()).isEqualTo(exp);
        assertThat(out.maxClicks()).isEqualTo(7L);
        assertThat(out.redirectType()).isEqualTo(308);
        assertThat(out.forwardQuery()).isFalse();
        assertThat(out.tags()).containsExactly("a", "b");
        assertThat(out.createdAt()).isEqualTo(T0);
    }

    @Test
    void find_isCaseSensitive() {
        store.insert(link("Case"), T0);
        assertThat(store.find("case")).isEmpty();
        assertThat(store.find("Case")).isPresent();
        store.insert(link("case"), T0);
        assertThat(store.find("case")).isPresent();
    }

    @Test
    void insert_takenSlug_throwsAndKeepsTheFirst() {
        store.insert(link("dup", "t1"), T0);
        assertThatThrownBy(() -> store.insert(new NewLink("https://other.com", "dup", null, List.of("t2"), null, null, 302, true), T0))
                .isInstanceOf(SlugTakenException.class);
        assertThat(store.find("dup").orElseThrow().url()).isEqualTo("https://example.com/dup");
        assertThat(store.list(new LinkQuery(10, null, "t2", null))).isEmpty();
    }

    @Test
    void update_changesFieldsAndTags_keepsClicks() {
        Link l = store.insert(link("u", "old"), T0);
        store.consumeClick(l.id());
        Link changed = new Link(l.id(), "u", "https://new.example", null, List.of("new"), null, 3L, 301, false, l.createdAt(),
                T0.plusSeconds(5), 0);
        Link out = store.update(changed).orElseThrow();
        assertThat(out.url()).isEqualTo("https://new.example");
        assertThat(out.clicks()).isEqualTo(1);
        assertThat(out.updatedAt()).isEqualTo(T0.plusSeconds(5));
        assertThat(store.list(new LinkQuery(10, null, "old", null))).isEmpty();
        assertThat(store.list(new LinkQuery(10, null, "new", null))).extracting(Link::slug).containsExactly("u");
    }

    @Test
    void delete_removesLinkAndTags() {
        store.insert(link("d", "t"), T0);
        assertThat(store.delete("d")).isTrue();
        assertThat(store.delete("d")).isFalse();
        assertThat(store.find("d")).isEmpty();
        assertThat(store.list(new LinkQuery(10, null, "t", null))).isEmpty();
    }

    @Test
    void list_isNewestFirstWithKeysetPagesAndFilters() {
        for (int i = 0; i < 25; i++) store.insert(link("s" + i, i % 2 == 0 ? "even" : "odd"), T0);
        store.insert(new NewLink("https://docs.example/Guide", "g", "Getting Started", List.of(), null, null, 302, true), T0);
        List<Link> page1 = store.list(new LinkQuery(10, null, null, null));
        assertThat(page1).extracting(Link::slug).startsWith("g", "s24", "s23");
        List<Link> page2 = store.list(new LinkQuery(10, page1.get(9).id(), null, null));
        assertThat(page2.get(0).id()).isLessThan(page1.get(9).id());
        Set<String> seen = new HashSet<>();
        Long before = null;
        while (true) {
            List<Link> p = store.list(new LinkQuery(7, before, null, null));
            if (p.isEmpty()) break;
            p.forEach(l -> assertThat(seen.add(l.slug())).isTrue());
            before = p.get(p.size() - 1).id();
        }
        assertThat(seen).hasSize(26);
        assertThat(store.list(new LinkQuery(100, null, "even", null))).hasSize(13);
        assertThat(store.list(new LinkQuery(100, null, null, "getting"))).extracting(Link::slug).containsExactly("g");
        assertThat(store.list(new LinkQuery(100, null, null, "DOCS.example"))).extracting(Link::slug).containsExactly("g");
        assertThat(store.list(new LinkQuery(100, null, null, "s2"))).hasSize(6); // s2 and s20..s24
        assertThat(store.list(new LinkQuery(100, null, null, "100%"))).isEmpty();
        assertThat(store.list(new LinkQuery(100, null, "odd", "s1"))).extracting(Link::slug).contains("s1", "s11").doesNotContain("s10");
    }

    @Test
    void consumeClick_isExactUnderConcurrency() throws Exception {
        Link l = store.insert(new NewLink("https://e.com", "lim", null, List.of(), null, 25L, 302, true), T0);
        AtomicInteger ok = new AtomicInteger();
        try (ExecutorService ex = Executors.newFixedThreadPool(16)) {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < 100; i++) fs.add(ex.submit(() -> {
                if (store.consumeClick(l.id())) ok.incrementAndGet();
            }));
            for (Future<?> f : fs) f.get();
        }
        assertThat(ok.get()).isEqualTo(25);
        assertThat(store.find("lim").orElseThrow().clicks()).isEqualTo(25);
    }

    @Test
    void leaseCounterBlock_neverOverlapsUnderConcurrency() throws Exception {
        Set<Long> starts = ConcurrentHashMap.newKeySet();
        try (ExecutorService ex = Executors.newFixedThreadPool(8)) {
            List<Callable<Void>> tasks = new ArrayList<>();
            for (int i = 0; i < 200; i++) tasks.add(() -> {
                starts.add(store.leaseCounterBlock(1000));
                return null;
            });
            for (Future<Void> f : ex.invokeAll(tasks)) f.get();
        }
        assertThat(starts).hasSize(200);
        assertThat(starts.stream().mapToLong(Long::longValue).max().orElseThrow()).isEqualTo(199_000L);
    }

    @Test
    void installationSecret_keepsTheFirstValue() {
        assertThat(store.installationSecret("k", 42)).isEqualTo(42);
        assertThat(store.installationSecret("k", 43)).isEqualTo(42);
    }

    @Test
    void apiKeys_insertIsIdempotent_findActive_revoke() {
        ApiKey k = store.insert("ci", "kurz_abcdefg", "hash1", EnumSet.of(Scope.LINKS_READ), T0);
        assertThat(store.insert("again", "kurz_abcdefg", "hash1", EnumSet.of(Scope.ADMIN), T0)).isEqualTo(k);
        assertThat(store.findActiveByHash("hash1")).contains(k);
        assertThat(store.countActive()).isEqualTo(1);
        assertThat(store.revoke("kurz_abcdefg", T0)).isTrue();
        assertThat(store.revoke(Long.toString(k.id()), T0)).isFalse();
        assertThat(store.findActiveByHash("hash1")).isEmpty();
        assertThat(store.listKeys()).singleElement().satisfies(x -> assertThat(x.active()).isFalse());
    }

    @Test
    void block_setsAndLiftsAnAdminsBlock_keepingTheRestOfTheLink() {
        Link in = store.insert(link("blk"), T0);
        Link blocked = store.block("blk", dev.kurz.link.LinkBlock.admin("phishing kit", T0.plusSeconds(5))).orElseThrow();
        assertThat(blocked.blocked()).isEqualTo(new dev.kurz.link.LinkBlock("phishing kit", "admin", T0.plusSeconds(5)));
        assertThat(blocked.withBlock(null)).isEqualTo(in);
        assertThat(store.find("blk").orElseThrow().blocked()).isEqualTo(blocked.blocked());
        assertThat(store.list(new LinkQuery(10, null, null, null))).singleElement()
                .satisfies(l -> assertThat(l.blocked()).isNotNull());
        assertThat(store.block("blk", null).orElseThrow().blocked()).isNull();
        assertThat(store.find("blk").orElseThrow()).isEqualTo(in);
    }

    @Test
    void block_ofAnUnknownSlug_isEmpty() {
        assertThat(store.block("nope", dev.kurz.link.LinkBlock.admin("x", T0))).isEmpty();
    }

    @Test
    void reports_insertThenList_newestFirstInPages() {
        var reports = new dev.kurz.storage.jdbc.JdbcReportStore(db);
        var a = reports.insert(new dev.kurz.abuse.Report(0, "https://bad.example/", null, "phishing", "me@example.com", "192.0.2.1",
                "req-1", T0));
        var b = reports.insert(new dev.kurz.abuse.Report(0, null, "abc", "malware\nsecond line", null, null, null, T0.plusSeconds(1)));
        assertThat(b.id()).isGreaterThan(a.id());
        assertThat(reports.list(10, null)).containsExactly(b, a);
        assertThat(reports.list(1, null)).containsExactly(b);
        assertThat(reports.list(10, b.id())).containsExactly(a);
    }

    // ---- link creators (links:own) ----

    @Test
    void createdBy_roundTrips_andFiltersListsAndSlugChecks() {
        Link mine = store.insert(link("mine").createdBy(5L), T0);
        store.insert(link("theirs").createdBy(6L), T0);
        store.insert(link("old"), T0);
        assertThat(mine.createdBy()).isEqualTo(5L);
        assertThat(store.find("mine").orElseThrow().createdBy()).isEqualTo(5L);
        assertThat(store.find("old").orElseThrow().createdBy()).isNull();
        assertThat(store.list(new LinkQuery(10, null, null, null, 5L))).extracting(Link::slug).containsExactly("mine");
        assertThat(store.list(new LinkQuery(10, null, null, null))).hasSize(3);
        assertThat(store.createdByAmong(List.of("mine", "theirs", "old", "nope"), 5L)).containsExactly("mine");
        Link updated = store.update(new Link(mine.id(), "mine", "https://e.com/new", null, List.of(), null, null, 302, true, T0, T0, 0))
                .orElseThrow();
        assertThat(updated.createdBy()).as("an update never changes the creator").isEqualTo(5L);
    }

    @Test
    void revokeKey_keepsTheLastAdmin_andReportsEachOutcome() {
        ApiKey admin = store.insert("admin", "p1", "h1", EnumSet.of(Scope.ADMIN), T0);
        ApiKey reader = store.insert("reader", "p2", "h2", EnumSet.of(Scope.LINKS_READ, Scope.LINKS_OWN), T0);
        var refused = store.revokeKey(admin.id(), T0, true);
        assertThat(refused.outcome()).isEqualTo(dev.kurz.auth.ApiKeyStore.Revocation.LAST_ADMIN);
        assertThat(store.findById(admin.id()).orElseThrow().active()).isTrue();

        var revoked = store.revokeKey(reader.id(), T0, true);
        assertThat(revoked.outcome()).isEqualTo(dev.kurz.auth.ApiKeyStore.Revocation.REVOKED);
        assertThat(revoked.key().revokedAt()).isEqualTo(T0);
        assertThat(revoked.key().scopes()).containsExactlyInAnyOrder(Scope.LINKS_READ, Scope.LINKS_OWN);
        assertThat(store.revokeKey(reader.id(), T0, true).outcome()).isEqualTo(dev.kurz.auth.ApiKeyStore.Revocation.ALREADY_REVOKED);
        assertThat(store.revokeKey(9999, T0, true).outcome()).isEqualTo(dev.kurz.auth.ApiKeyStore.Revocation.NOT_FOUND);
        assertThat(store.revokedAmong(List.of(admin.id(), reader.id(), 9999L))).containsExactly(reader.id());

        assertThat(store.revokeKey(admin.id(), T0, false).outcome()).as("the shell may").isEqualTo(dev.kurz.auth.ApiKeyStore.Revocation.REVOKED);
    }

    @Test
    void revokeKey_concurrentRevocationsOfTheLastTwoAdmins_leaveOne() throws Exception {
        ApiKey a = store.insert("a", "pa", "ha", EnumSet.of(Scope.ADMIN), T0);
        ApiKey b = store.insert("b", "pb", "hb", EnumSet.of(Scope.ADMIN, Scope.LINKS_READ), T0);
        try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
            Future<?> fa = pool.submit(() -> store.revokeKey(a.id(), T0, true));
            Future<?> fb = pool.submit(() -> store.revokeKey(b.id(), T0, true));
            fa.get();
            fb.get();
        }
        assertThat(store.countActive()).isEqualTo(1);
    }
}
