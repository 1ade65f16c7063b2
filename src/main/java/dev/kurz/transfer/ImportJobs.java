package dev.kurz.transfer;

import dev.kurz.link.LinkDraft;
import dev.kurz.link.LinkRules;
import dev.kurz.link.NewLink;
import dev.kurz.problem.ProblemException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Imports as persisted jobs (STYLE rule 13) on a bounded pool of worker threads.
 *
 * <p>A job is queued with its file in the store; a worker claims it with a lease (so a second node
 * never runs it while this one lives), counts its rows, then reads it in chunks. Each row goes
 * through {@link LinkRules} — the same validation and abuse screening as the API — and each chunk
 * is one transaction holding its links, its dead letters and the new checkpoint. A restart (or
 * another node, once the lease has expired) resumes from the checkpoint, so no row is imported
 * twice. A chunk that fails on the database is retried with backoff; past the last try the job
 * fails with the reason, and its file stays for a later resume. Cancelling flips the status, and
 * the next chunk's commit, which requires it to be running, is refused.
 */
public final class ImportJobs implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ImportJobs.class);
    private static final int RETRIES = 6;
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);

    /** Told as a job moves: at most every {@code progressEvery} while it runs, and once when it ends. */
    public interface Listener {
        Listener NONE = new Listener() {};

        default void progress(ImportJob job) {}

        /** The job is done, failed or cancelled (the hook an {@code import.finished} webhook can use). */
        default void finished(ImportJob job) {}
    }

    /**
     * @param workers      jobs run at once on this node
     * @param queue        jobs queued or running (on every node) before new ones are refused with 503
     * @param maxBytes     the largest file accepted
     * @param chunk        rows per transaction
     * @param lease        how long a claim holds without a commit; a job of a node that died is resumed after it
     */
    public record Settings(int workers, int queue, long maxBytes, int chunk, Duration lease) {
        public static final Settings DEFAULTS = new Settings(1, 16, 512L * 1024 * 1024, 1000, Duration.ofSeconds(30));
    }

    /** The queue is full: try again later. */
    public static final class QueueFull extends ProblemException {
        public final long retryAfterSeconds;

        QueueFull(int queue, long retryAfterSeconds) {
            super("import-queue-full", "Import queue full", 503,
                    "There are already " + queue + " imports queued or running (KURZ_IMPORT_QUEUE); try again later");
            this.retryAfterSeconds = retryAfterSeconds;
        }
    }

    private final ImportStore store;
    private final LinkRules rules;
    private final IntFunction<List<String>> slugs;
    private final Consumer<List<String>> stored;
    private final InstantSource clock;
    private final Settings settings;
    private final Listener listener;
    private final boolean onlyProcess;
    private final String node = Long.toHexString(new SecureRandom().nextLong());
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean closed;
    private final Duration progressEvery;

    /**
     * @param slugs       draws {@code n} generated slugs (before a chunk's transaction: on SQLite it holds the only writer)
     * @param stored      told the slugs of each committed chunk (caches that may hold them as unknown)
     * @param onlyProcess true on SQLite, where the data-directory lock makes this the only process:
     *                    jobs left running were a killed process's and are resumed at once
     */
    public ImportJobs(ImportStore store, LinkRules rules, IntFunction<List<String>> slugs, Consumer<List<String>> stored, InstantSource clock,
                      Settings settings, Listener listener, boolean onlyProcess) {
        this.store = store;
        this.rules = rules;
        this.slugs = slugs;
        this.stored = stored;
        this.clock = clock;
        this.settings = settings;
        this.listener = listener;
        this.onlyProcess = onlyProcess;
        this.progressEvery = Duration.ofMillis(250);
    }

    public Settings settings() {
        return settings;
    }

    public ImportJobs start() {
        if (onlyProcess) {
            int n = store.requeueRunning();
            if (n > 0) log.info("imports: {} job(s) interrupted by the last stop will resume from their checkpoint", n);
        }
        for (int i = 0; i < settings.workers(); i++) {
            Thread t = Thread.ofPlatform().name("kurz-import-" + i).daemon(true).unstarted(this::work);
            workers.add(t);
            t.start();
        }
        return this;
    }

    // ---- requests ----

    /** Refuses early (before the body is read) when the queue is full. */
    public void checkCapacity() {
        if (store.active() >= settings.queue()) throw new QueueFull(settings.queue(), 30);
    }

    /** Queues a job for the file (which the caller deletes afterwards). */
    public ImportJob submit(Path file, ImportFormat format, ImportJob.Conflict onConflict, Long createdBy) {
        checkCapacity();
        try (InputStream in = Files.newInputStream(file)) {
            ImportJob job = new ImportJob(newId(), format, onConflict, ImportJob.Status.QUEUED, createdBy, Files.size(file), null, 0, 0, 0, 0, 0,
                    null, clock.instant(), null, null);
            store.create(job, in);
            wake();
            return job;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Optional<ImportJob> get(String id) {
        return store.find(id);
    }

    public Optional<ImportJob> cancel(String id) {
        Optional<ImportJob> job = store.cancel(id, clock.instant());
        job.filter(j -> j.status() == ImportJob.Status.CANCELLED).ifPresent(j -> {
            store.dropFile(id);
            listener.finished(j);
        });
        return job;
    }

    public void failures(String id, Consumer<ImportStore.Failure> each) {
        store.failures(id, each);
    }

    private static String newId() {
        byte[] b = new byte[12];
        new SecureRandom().nextBytes(b);
        return "imp_" + java.util.HexFormat.of().formatHex(b);
    }

    // ---- workers ----

    private void wake() {
        for (Thread t : workers) LockSupport.unpark(t);
    }

    private void work() {
        while (!closed) {
            Optional<ImportJob> job;
            try {
                job = store.claim(node, clock.instant(), clock.instant().plus(settings.lease()));
            } catch (RuntimeException e) {
                log.warn("imports: claiming a job failed: {}", e.toString());
                job = Optional.empty();
            }
            if (job.isPresent()) {
                run(job.get());
            } else {
                // submit() wakes the workers: polling only finds jobs of other nodes (PostgreSQL) or
                // lapsed leases. On SQLite each poll takes the single writer the click batcher needs.
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(onlyProcess ? 5_000 : 1_000));
            }
        }
    }

    private void run(ImportJob job) {
        String id = job.id();
        log.info("import {} ({}, {} bytes) running from row {}", id, job.format().label(), job.sizeBytes(), job.position() + 1);
        try {
            long t0 = System.nanoTime();
            if (job.total() == null) {
                long total = count(job);
                if (!store.total(id, node, total)) throw new ImportStore.Lost(id);
            }
            long t1 = System.nanoTime();
            Timings t = importRows(job);
            log.info("import {}: counted rows in {} ms; read {} ms, checked {} ms, wrote {} ms", id, (t1 - t0) / 1_000_000,
                    t.read / 1_000_000, t.check / 1_000_000, t.write / 1_000_000);
            if (store.finish(id, node, ImportJob.Status.DONE, null, clock.instant())) {
                store.dropFile(id);
                ended(id);
            }
        } catch (ImportStore.Lost e) {
            log.info("import {} stopped: {}", id, e.getMessage());
        } catch (Unreadable e) {
            log.warn("import {} failed: {}", id, e.getMessage());
            if (store.finish(id, node, ImportJob.Status.FAILED, e.getMessage(), clock.instant())) {
                store.dropFile(id);
                ended(id);
            }
        } catch (RuntimeException e) {
            // The database kept failing: the job is marked failed if that still works; if not, its
            // lease runs out and it is resumed from its checkpoint later. Its file is kept either way.
            log.warn("import {} failed: {}", id, e.toString());
            try {
                if (store.finish(id, node, ImportJob.Status.FAILED, "database error after " + RETRIES + " tries: " + e.getMessage(), clock.instant())) {
                    ended(id);
                }
            } catch (RuntimeException again) {
                log.warn("import {}: could not record the failure ({}); it resumes once its lease expires", id, again.toString());
            }
        }
    }

    private void ended(String id) {
        store.find(id).ifPresent(listener::finished);
    }

    /** The file cannot be read as its format (broken JSON): nothing further of it can be imported. */
    static final class Unreadable extends RuntimeException {
        Unreadable(String message) {
            super(message, null, false, false);
        }
    }

    private long count(ImportJob job) {
        try (RowReader r = new RowReader(job.format(), store.file(job.id()))) {
            return r.count();
        } catch (IOException e) {
            throw new Unreadable("the file is not readable as " + job.format().label() + ": " + e.getMessage());
        }
    }

    /** Where a run's time went, for the log (read and check on the worker, write on the write thread). */
    private static final class Timings {
        long read;
        long check;
        volatile long write;
    }

    /**
     * Reads and checks each chunk while the one before it is being written (one write in flight,
     * on its own thread, so checkpoints still commit in order).
     */
    private Timings importRows(ImportJob job) {
        String id = job.id();
        long position = job.position();
        long lastProgress = 0;
        Timings timings = new Timings();
        try (RowReader reader = new RowReader(job.format(), store.file(id));
             ExecutorService writes = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("kurz-import-write").factory())) {
            reader.skip(position);
            Future<?> inFlight = null;
            boolean end = false;
            while (!end) {
                if (closed) throw new ImportStore.Lost(id);
                List<ImportRow> chunk = new ArrayList<>(settings.chunk());
                ImportRow row;
                long t0 = System.nanoTime();
                while (chunk.size() < settings.chunk() && (row = reader.next()) != null) chunk.add(row);
                timings.read += System.nanoTime() - t0;
                end = chunk.size() < settings.chunk();
                if (chunk.isEmpty()) break;
                position += chunk.size();
                Prepared next = prepare(job, chunk, timings);
                await(inFlight);
                long checkpoint = position;
                inFlight = writes.submit(() -> write(job, next, checkpoint, timings));
                long now = System.nanoTime();
                if (now - lastProgress > progressEvery.toNanos()) {
                    lastProgress = now;
                    store.find(id).ifPresent(listener::progress);
                }
            }
            await(inFlight);
        } catch (IOException e) {
            throw new Unreadable("the file stopped being readable as " + job.format().label() + " after row " + position + ": " + e.getMessage());
        }
        return timings;
    }

    private static void await(Future<?> write) {
        if (write == null) return;
        try {
            write.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImportStore.Lost("interrupted");
        }
    }

    /** A chunk checked and ready to write. */
    private record Prepared(List<ImportStore.Item> items, List<ImportStore.Failure> failures, List<String> slugs) {}

    private Prepared prepare(ImportJob job, List<ImportRow> rows, Timings timings) {
        long t0 = System.nanoTime();
        List<ImportStore.Item> items = new ArrayList<>(rows.size());
        List<ImportStore.Failure> failures = new ArrayList<>();
        int generated = 0;
        Instant now = clock.instant();
        for (ImportRow r : rows) {
            if (r.problem() != null) {
                failures.add(new ImportStore.Failure(r.row(), r.plainCsv(), r.problem()));
                continue;
            }
            try {
                NewLink link = rules.validate(new LinkDraft(r.url(), r.slug(), r.title(), r.tags(), r.expiresAt(), r.maxClicks(),
                        r.redirectType(), r.forwardQuery())).createdBy(job.createdBy());
                Instant created = r.createdAt() == null || r.createdAt().isAfter(now) ? now : r.createdAt();
                items.add(new ImportStore.Item(r.row(), link, created, r.clicks(), r.plainCsv()));
                if (link.slug() == null) generated++;
            } catch (ProblemException e) {
                failures.add(new ImportStore.Failure(r.row(), r.plainCsv(), reason(e)));
            }
        }
        List<String> pool = new ArrayList<>(slugs.apply(generated + (generated > 0 ? 16 : 0)));
        timings.check += System.nanoTime() - t0;
        return new Prepared(items, failures, pool);
    }

    private void write(ImportJob job, Prepared chunk, long position, Timings timings) {
        long t1 = System.nanoTime();
        List<String> pool = chunk.slugs();
        Duration backoff = FIRST_BACKOFF;
        for (int attempt = 1; ; attempt++) {
            try {
                ImportStore.Written w = store.write(job.id(), node, chunk.items(), chunk.failures(), position, job.onConflict(), pool.iterator(),
                        clock.instant().plus(settings.lease()));
                if (!w.slugs().isEmpty()) stored.accept(w.slugs());
                timings.write += System.nanoTime() - t1;
                return;
            } catch (ImportStore.OutOfSlugs e) {
                pool.addAll(slugs.apply(e.needed + 16));
                attempt--;
            } catch (ImportStore.Lost e) {
                throw e;
            } catch (RuntimeException e) {
                if (attempt == RETRIES) throw e;
                log.warn("import {}: writing rows up to {} failed (try {} of {}), again in {} ms: {}", job.id(), position, attempt, RETRIES,
                        backoff.toMillis(), e.toString());
                try {
                    store.attempted(job.id(), e.toString());
                } catch (RuntimeException ignored) {
                    // the database is the problem; the retry will tell
                }
                sleep(backoff);
                backoff = backoff.multipliedBy(2);
            }
        }
    }

    /** A problem as one line: the detail and each field's message. */
    static String reason(ProblemException e) {
        if (e.errors() == null || e.errors().isEmpty()) return e.detail() == null ? e.title() : e.detail();
        return e.errors().stream().map(f -> f.field() + " " + f.message()).collect(Collectors.joining("; "));
    }

    private void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImportStore.Lost("interrupted");
        }
    }

    @Override
    public void close() {
        closed = true;
        wake();
        for (Thread t : workers) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
