package dev.kurz.redirect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kurz.link.Link;
import dev.kurz.link.LinkStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BatchedFindsTest {
    private final ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();
    private final GatedStore store = new GatedStore();

    @AfterEach
    void close() {
        store.open.countDown();
        blocking.close();
    }

    @Test
    void find_loneKey_readsAtOnceWithOneFind() {
        store.open.countDown();
        BatchedFinds finds = new BatchedFinds(store, blocking, 2, 256);
        assertThat(finds.find("a").join()).map(Link::url).contains("https://example.com/a");
        assertThat(finds.find("nope").join()).isEmpty();
        assertThat(store.finds.get()).isEqualTo(2);
        assertThat(store.findAlls.get()).isZero();
        assertThat(finds.reads()).isEqualTo(2);
    }

    @Test
    void find_keysArrivingWhileEveryReadIsBusy_shareTheNextReads() throws Exception {
        BatchedFinds finds = new BatchedFinds(store, blocking, 1, 256);
        CompletableFuture<Optional<Link>> first = finds.find("k0"); // takes the only read, held at the gate
        assertThat(store.entered.await(5, TimeUnit.SECONDS)).isTrue();
        List<CompletableFuture<Optional<Link>>> waiting = new ArrayList<>();
        for (int i = 1; i < 600; i++) waiting.add(finds.find("k" + i));
        waiting.add(finds.find("unknown"));
        store.open.countDown();

        assertThat(first.join()).map(Link::url).contains("https://example.com/k0");
        for (int i = 1; i < 600; i++) assertThat(waiting.get(i - 1).join()).map(Link::url).contains("https://example.com/k" + i);
        assertThat(waiting.getLast().join()).isEmpty();
        // 1 alone, then 600 waiting in batches of at most 256: 3 more reads.
        assertThat(finds.reads()).isEqualTo(4);
        assertThat(store.largestBatch.get()).isEqualTo(256);
    }

    @Test
    void find_storeFails_failsEveryKeyOfThatRead_andTheNextReadWorks() throws Exception {
        BatchedFinds finds = new BatchedFinds(store, blocking, 1, 256);
        CompletableFuture<Optional<Link>> first = finds.find("k0");
        assertThat(store.entered.await(5, TimeUnit.SECONDS)).isTrue();
        store.failing = true;
        CompletableFuture<Optional<Link>> a = finds.find("k1");
        CompletableFuture<Optional<Link>> b = finds.find("k2");
        store.open.countDown();

        assertThatThrownBy(first::join).isInstanceOf(CompletionException.class).hasRootCauseMessage("database down");
        assertThatThrownBy(a::join).hasRootCauseMessage("database down");
        assertThatThrownBy(b::join).hasRootCauseMessage("database down");
        store.failing = false;
        assertThat(finds.find("k3").join()).map(Link::url).contains("https://example.com/k3");
    }

    @Test
    void find_executorShutDown_failsInsteadOfHanging() {
        store.open.countDown();
        blocking.shutdown();
        BatchedFinds finds = new BatchedFinds(store, blocking, 1, 256);
        assertThat(finds.find("k1")).failsWithin(5, TimeUnit.SECONDS);
    }

    /** Links "k<n>" and "a" exist; every read waits at the gate until {@code open}. */
    private static final class GatedStore implements LinkStore {
        final CountDownLatch open = new CountDownLatch(1);
        final CountDownLatch entered = new CountDownLatch(1);
        final AtomicInteger finds = new AtomicInteger();
        final AtomicInteger findAlls = new AtomicInteger();
        final AtomicInteger largestBatch = new AtomicInteger();
        volatile boolean failing;

        private void gate() {
            entered.countDown();
            try {
                open.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (failing) throw new IllegalStateException("database down");
        }

        private static Optional<Link> link(String key) {
            if (!key.equals("a") && !key.matches("k\\d+")) return Optional.empty();
            return Optional.of(new Link(key.hashCode(), key, "https://example.com/" + key, null, List.of(), null, null, 302, true,
                    Instant.EPOCH, Instant.EPOCH, 0));
        }

        @Override
        public Optional<Link> find(String key) {
            finds.incrementAndGet();
            gate();
            return link(key);
        }

        @Override
        public Map<String, Link> findAll(Collection<String> keys) {
            findAlls.incrementAndGet();
            largestBatch.accumulateAndGet(keys.size(), Math::max);
            gate();
            Map<String, Link> out = new HashMap<>();
            for (String k : keys) link(k).ifPresent(l -> out.put(k, l));
            return out;
        }

        @Override
        public Link insert(dev.kurz.link.NewLink link, Instant now) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<Link> update(Link link) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean delete(String slug) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<Link> list(LinkQuery query) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean consumeClick(long linkId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long leaseCounterBlock(int size) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long installationSecret(String name, long proposed) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void ping() {}
    }
}
