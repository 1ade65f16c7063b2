package dev.kurz.abuse;

import java.util.List;

/** Where abuse reports live. Blocking: call it from a virtual thread, never from the event loop. */
public interface ReportStore {
    /** Stores a report ({@code id} ignored); durable when this returns. */
    Report insert(Report report);

    /** Newest first, at most {@code limit}, strictly older than {@code beforeId} when that is set. */
    List<Report> list(int limit, Long beforeId);
}
