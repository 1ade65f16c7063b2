package dev.kurz.redirect;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.kurz.config.Env;
import dev.kurz.config.KurzConfig;
import dev.kurz.link.DestinationScreen;
import dev.kurz.link.Link;
import dev.kurz.link.LinkStore;
import dev.kurz.link.NewLink;
import dev.kurz.storage.jdbc.Database;
import dev.kurz.storage.jdbc.JdbcStore;
import dev.kurz.testing.TestServers;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Cold misses against a real PostgreSQL: read together, each resolved to its own link. */
class RedirectCachePostgresTest {
    private Database db;
    private CountingStore store;
    private final ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeEach
    void setUp() throws Exception {
        String url = TestServers.freshPostgresDatabase();
        db = Database.open(KurzConfig.from(new Env(Map.of("KURZ_DATABASE_URL", url))));
        store = new CountingStore(new JdbcStore(db));
        URI u = URI.create(url);
        String[] user = u.getUserInfo().split(":", 2);
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + u.getHost() + ":" + u.getPort() + u.getPath(), user[0],
                user.length > 1 ? user[1] : null); Statement s = c.createStatement()) {
            s.execute("INSERT INTO links (slug, url, created_at, updated_at)"
                    + " SELECT 'c' || g, 'https://example.com/c' || g, 0, 0 FROM generate_series(1, 1000) g");
            s.execute("INSERT INTO domains (id, workspace_id, host, created_at) VALUES (2, 1, 'go.example', 0)");
        }
        store.delegate.insert(new NewLink("https://go.example/elsewhere", "c1", null, List.of(), null, null, 301, true).onDomain("go.example"),
                Instant.EPOCH);
    }

    @AfterEach
    void tearDown() {
        blocking.close();
        db.close();
    }

    @Test
    void get_thousandConcurrentColdSlugs_resolveEachToItsLinkWithFewerReadsThanSlugs() {
        RedirectCache cache = new RedirectCache(store, SharedLinkCache.NONE, blocking, 10_000, Duration.ofMinutes(10), Duration.ofSeconds(5),
                Ticker.systemTicker(), DestinationScreen.NONE, 2);
        List<CompletableFuture<Target>> known = new ArrayList<>();
        List<CompletableFuture<Target>> unknown = new ArrayList<>();
        for (int i = 1; i <= 1000; i++) {
            known.add(cache.get("c" + i));
            if (i % 10 == 0) unknown.add(cache.get("u" + i));
        }
        CompletableFuture<Target> otherDomain = cache.get("go.example/c1");
        CompletableFuture<Target> again = cache.get("c500"); // the same cold slug twice: one load

        for (int i = 1; i <= 1000; i++) {
            Target t = known.get(i - 1).join();
            assertThat(t.missing()).isFalse();
            assertThat(t.url()).isEqualTo("https://example.com/c" + i);
            assertThat(t.slug()).isEqualTo("c" + i);
        }
        assertThat(unknown).allSatisfy(f -> assertThat(f.join().missing()).isTrue());
        assertThat(otherDomain.join().url()).isEqualTo("https://go.example/elsewhere");
        assertThat(otherDomain.join().status()).isEqualTo(301);
        assertThat(again.join()).isSameAs(known.get(499).join());

        assertThat(cache.loads()).isEqualTo(1000 + 100 + 1);
        assertThat(store.keysAsked.get()).as("each cold key asked once").isEqualTo(1101);
        assertThat(store.reads.get()).as("statements for 1,101 cold keys").isLessThan(1101 / 4).isEqualTo((int) cache.storeReads());
    }

    @Test
    void findAll_onPostgres_answersByKeyAsAsked_andLeavesUnknownKeysOut() {
        Map<String, Link> found = store.delegate.findAll(List.of("c1", "c2", "nope", "go.example/c1", "go.example/c2", "other.example/c1"));
        assertThat(found).containsOnlyKeys("c1", "c2", "go.example/c1");
        assertThat(found.get("c2").url()).isEqualTo("https://example.com/c2");
        assertThat(found.get("go.example/c1").url()).isEqualTo("https://go.example/elsewhere");
        assertThat(store.delegate.findAll(List.of())).isEmpty();
    }

    /** The real store, counting the statements the cache asks of it. */
    private static final class CountingStore implements LinkStore {
        final JdbcStore delegate;
        final AtomicInteger reads = new AtomicInteger();
        final AtomicInteger keysAsked = new AtomicInteger();

        CountingStore(JdbcStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public Optional<Link> find(String key) {
            reads.incrementAndGet();
            keysAsked.incrementAndGet();
            return delegate.find(key);
        }

        @Override
        public Map<String, Link> findAll(Collection<String> keys) {
            reads.incrementAndGet();
            keysAsked.addAndGet(keys.size());
            return delegate.findAll(keys);
        }

        @Override
        public Link insert(NewLink link, Instant now) {
            return delegate.insert(link, now);
        }

        @Override
        public Optional<Link> update(Link link) {
            return delegate.update(link);
        }

        @Override
        public boolean delete(String slug) {
            return delegate.delete(slug);
        }

        @Override
        public List<Link> list(LinkQuery query) {
            return delegate.list(query);
        }

        @Override
        public boolean consumeClick(long linkId) {
            return delegate.consumeClick(linkId);
        }

        @Override
        public long leaseCounterBlock(int size) {
            return delegate.leaseCounterBlock(size);
        }

        @Override
        public long installationSecret(String name, long proposed) {
            return delegate.installationSecret(name, proposed);
        }

        @Override
        public void ping() {
            delegate.ping();
        }
    }
}
