package dev.kurz.redirect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.link.NewLink;
import dev.kurz.testing.MemoryLinkStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RedirectCacheTest {
    private final MemoryLinkStore store = new MemoryLinkStore();
    private final ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicLong nanos = new AtomicLong(1);
    private final RedirectCache cache = new RedirectCache(store, SharedLinkCache.NONE, blocking, 1000,
            Duration.ofMinutes(10), Duration.ofSeconds(5), nanos::get);

    @AfterEach
    void close() {
        blocking.close();
    }

    private void link(String slug) {
        store.insert(new NewLink("https://example.com/" + slug, slug, null, List.of(), null, null, 302, true), Instant.EPOCH);
    }

    @Test
    void get_coldSlugUnderConcurrentRequests_loadsOnce() {
        link("hot");
        store.findDelayMillis = 100;
        List<CompletableFuture<Target>> all = new ArrayList<>();
        for (int i = 0; i < 500; i++) all.add(cache.get("hot"));
        all.forEach(f -> assertThat(f.join().url()).isEqualTo("https://example.com/hot"));
        assertThat(store.finds.get()).isEqualTo(1);
    }

    @Test
    void get_hit_isCompletedWithoutTouchingTheStore() {
        link("a");
        cache.get("a").join();
        int before = store.finds.get();
        CompletableFuture<Target> f = cache.get("a");
        assertThat(f).isDone();
        assertThat(store.finds.get()).isEqualTo(before);
    }

    @Test
    void get_unknownSlug_isNegativelyCachedForItsTtl() {
        assertThat(cache.get("nope").join().missing()).isTrue();
        assertThat(cache.get("nope").join().missing()).isTrue();
        assertThat(store.finds.get()).isEqualTo(1);
        link("nope");
        nanos.addAndGet(Duration.ofSeconds(6).toNanos());
        assertThat(cache.get("nope").join().missing()).isFalse();
        assertThat(store.finds.get()).isEqualTo(2);
    }

    @Test
    void invalidate_makesTheNextGetReload() {
        link("x");
        cache.get("x").join();
        store.delete("x");
        assertThat(cache.get("x").join().missing()).isFalse();
        cache.invalidate("x");
        assertThat(cache.get("x").join().missing()).isTrue();
    }

    @Test
    void get_sharedCacheHit_skipsTheStore() {
        Target t = new Target(9, "s", "https://shared.example", 301, false, Target.NEVER, 0);
        SharedLinkCache shared = new SharedLinkCache() {
            @Override
            public CompletableFuture<Target> get(String slug) {
                return CompletableFuture.completedFuture(slug.equals("s") ? t : null);
            }

            @Override
            public void put(Target target) {}
        };
        RedirectCache c = new RedirectCache(store, shared, blocking, 10, Duration.ofMinutes(1), Duration.ofSeconds(1));
        assertThat(c.get("s").join()).isEqualTo(t);
        assertThat(store.finds.get()).isZero();
    }

    @Test
    void get_destinationOnABlocklist_isBlocked_butTheSharedCacheGetsTheLinkAsStored() {
        var listed = new java.util.concurrent.atomic.AtomicReference<String>("https://example.com/bad");
        dev.kurz.link.DestinationScreen screen = new dev.kurz.link.DestinationScreen() {
            @Override
            public String refusal(String url, String host) {
                return null;
            }

            @Override
            public dev.kurz.link.LinkBlock listed(String url) {
                return url.equals(listed.get()) ? new dev.kurz.link.LinkBlock("listed", "blocklist", Instant.EPOCH) : null;
            }
        };
        List<Target> shared = new java.util.concurrent.CopyOnWriteArrayList<>();
        SharedLinkCache sharedCache = new SharedLinkCache() {
            @Override
            public CompletableFuture<Target> get(String slug) {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public void put(Target target) {
                shared.add(target);
            }
        };
        RedirectCache screened = new RedirectCache(store, sharedCache, blocking, 1000, Duration.ofMinutes(10), Duration.ofSeconds(5),
                nanos::get, screen);
        link("bad");
        link("good");
        assertThat(screened.get("bad").join().blocked()).isTrue();
        assertThat(screened.get("good").join().blocked()).isFalse();
        assertThat(shared).allSatisfy(t -> assertThat(t.blocked()).isFalse());

        listed.set(null); // the list changed: the node forgets its links and reloads them
        screened.invalidateAll();
        assertThat(screened.get("bad").join().blocked()).isFalse();
    }

    @Test
    void get_linkBlockedByAnAdmin_isBlocked() {
        link("held");
        store.block("held", dev.kurz.link.LinkBlock.admin("phishing", Instant.EPOCH));
        assertThat(cache.get("held").join().blocked()).isTrue();
    }

    @Test
    void untrustedInvalidations_forgetWhatIsCached_andKeepNewEntriesAtMostOneSecond() {
        // Loads finish inside get(): Caffeine dates an entry when its load completes, which with a
        // thread pool may come after join() returns and the test has already moved the clock.
        RedirectCache cache = new RedirectCache(store, SharedLinkCache.NONE, Runnable::run, 1000, Duration.ofMinutes(10),
                Duration.ofSeconds(5), nanos::get);
        link("edited");
        assertThat(cache.get("edited").join().url()).isEqualTo("https://example.com/edited");
        cache.trustInvalidations(false); // the channel that would tell of edits on other nodes is down
        assertThat(cache.size()).isZero();
        cache.get("edited").join();
        int finds = store.finds.get();
        nanos.addAndGet(Duration.ofMillis(900).toNanos());
        cache.get("edited").join();
        assertThat(store.finds.get()).as("still cached within the second").isEqualTo(finds);
        nanos.addAndGet(Duration.ofMillis(200).toNanos());
        cache.get("edited").join();
        assertThat(store.finds.get()).as("reloaded past the second").isEqualTo(finds + 1);
        assertThat(cache.get("unknown").join().missing()).isTrue();
        nanos.addAndGet(Duration.ofMillis(1_100).toNanos());
        cache.get("unknown").join();
        assertThat(store.finds.get()).as("negative entries too").isEqualTo(finds + 3);

        cache.trustInvalidations(true);
        cache.get("fresh").join(); // loaded while trusted: its full time again
        link("fresh");
        nanos.addAndGet(Duration.ofSeconds(4).toNanos());
        assertThat(cache.get("fresh").join().missing()).as("negative TTL 5 s").isTrue();
    }
}
