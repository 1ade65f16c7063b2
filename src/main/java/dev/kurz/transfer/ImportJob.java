package dev.kurz.transfer;

import java.time.Instant;
import java.util.Locale;

/**
 * An import as stored. {@code position} is the checkpoint: data rows consumed, committed with each
 * chunk's links. {@code total} is null until the worker has counted the file's rows.
 */
public record ImportJob(String id, ImportFormat format, Conflict onConflict, Status status, Long createdBy, long sizeBytes, Long total,
                        long position, long imported, long skipped, long failed, int attempts, String error, Instant createdAt,
                        Instant startedAt, Instant finishedAt) {

    /** queued → running → done | failed | cancelled; a running job whose node died goes back to running on another claim. */
    public enum Status {
        QUEUED, RUNNING, DONE, FAILED, CANCELLED;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public boolean finished() {
            return this == DONE || this == FAILED || this == CANCELLED;
        }

        public static Status of(String s) {
            return valueOf(s.toUpperCase(Locale.ROOT));
        }
    }

    /** What a row whose slug is taken does: counted as skipped, imported under a generated slug, or a dead letter. */
    public enum Conflict {
        SKIP, RENAME, FAIL;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Conflict of(String s) {
            if (s == null) return null;
            for (Conflict c : values()) if (c.label().equalsIgnoreCase(s.strip())) return c;
            return null;
        }
    }
}
