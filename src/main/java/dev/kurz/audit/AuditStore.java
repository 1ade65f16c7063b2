package dev.kurz.audit;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/** Where the audit trail lives. Blocking. */
public interface AuditStore {
    /** A change to record; {@code ip} is already what the address policy keeps. */
    record Entry(Instant at, Long keyId, String keyName, String ip, String requestId, String action, String target,
                 JsonObject changes) {}

    /** Appends the entries in one transaction, committed (durable) when this returns. */
    void append(List<Entry> entries);

    /** Newest first: at most {@code limit} events older than {@code beforeId} (null: the newest), optionally filtered. */
    List<AuditEvent> list(Long beforeId, String action, String target, int limit);

    /** Deletes events recorded before this instant; returns how many. */
    long purgeBefore(Instant cutoff);
}
