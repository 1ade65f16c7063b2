package dev.kurz.transfer;

import dev.kurz.link.NewLink;
import java.io.InputStream;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** Where import jobs, their files, their checkpoints and their dead letters live. Blocking. */
public interface ImportStore {

    /** Stores a queued job and its file (read to the end here), in one transaction. */
    void create(ImportJob job, InputStream file);

    Optional<ImportJob> find(String id);

    /** Jobs queued or running: what the bounded queue counts. */
    long active();

    /**
     * Takes the oldest queued job, or a running one whose lease has expired (its node died), for
     * {@code owner} until {@code leaseUntil}; atomically, so two nodes never take the same job.
     */
    Optional<ImportJob> claim(String owner, Instant now, Instant leaseUntil);

    /** At the start of the only process on a database (SQLite): jobs left running by a killed process are queued again. */
    int requeueRunning();

    /** The job's file from its start. */
    InputStream file(String id);

    /** Records the number of data rows once counted; false when the job is no longer this owner's. */
    boolean total(String id, String owner, long total);

    /** A link ready to store, with the row it came from. */
    record Item(long row, NewLink link, Instant createdAt, long importedClicks, String plainCsv) {}

    /** A dead letter: the row as a plain-CSV line and why it failed. */
    record Failure(long row, String plainCsv, String reason) {}

    /** What a chunk did: rows imported and skipped, conflicts that became dead letters, the slugs now stored. */
    record Written(int imported, int skipped, int failed, List<String> slugs) {}

    /**
     * In one transaction: stores the items (a taken slug handled as {@code onConflict} says; an item
     * without a slug takes the next of {@code slugs}), the dead letters, and the checkpoint
     * {@code position} with the counts, renewing the lease to {@code leaseUntil}.
     *
     * @throws Lost when the job is no longer running for this owner (cancelled, or claimed elsewhere): nothing is written
     * @throws OutOfSlugs when {@code slugs} ran out: nothing is written
     */
    Written write(String id, String owner, List<Item> items, List<Failure> failures, long position, ImportJob.Conflict onConflict,
                  Iterator<String> slugs, Instant leaseUntil);

    /** Ends a job of this owner: done or failed (with the reason); false when it was not this owner's any more. */
    boolean finish(String id, String owner, ImportJob.Status status, String error, Instant now);

    /** Cancels a job not yet finished; the job as it is afterwards. */
    Optional<ImportJob> cancel(String id, Instant now);

    /** Counts a failed attempt at the job (a transient error it retries). */
    void attempted(String id, String error);

    /** The dead letters in row order. */
    void failures(String id, Consumer<Failure> each);

    /** The job's file is not needed any more once it has finished. */
    void dropFile(String id);

    final class Lost extends RuntimeException {
        public Lost(String id) {
            super("import " + id + " is no longer running on this node", null, false, false);
        }
    }

    final class OutOfSlugs extends RuntimeException {
        public final int needed;

        public OutOfSlugs(int needed) {
            super("more generated slugs needed: " + needed, null, false, false);
            this.needed = needed;
        }
    }
}
