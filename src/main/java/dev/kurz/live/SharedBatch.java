package dev.kurz.live;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One tick's frames for the all-links room: every such subscriber gets the same summaries, so a
 * subscriber that is up to date gets the same batch message, built once per tick instead of once
 * per subscriber (at 10,000 clicks/s that message is ~100 KB, and building it per subscriber was
 * most of what the fan-out allocated). Only the number of single-click frames differs, by each
 * subscriber's rate limit: a message per count, built on first use.
 */
final class SharedBatch {
    /** {@code Object[] {ClickSummary, String}} per link, then the single-click frames (String), as the hub hands them to each connection. */
    final List<Object> items;
    private final int summaries;
    private final AtomicReferenceArray<List<String>> bySingles = new AtomicReferenceArray<>(LiveConnection.SINGLES_PER_SECOND + 1);

    SharedBatch(List<Object> items) {
        this.items = items;
        int n = 0;
        while (n < items.size() && items.get(n) instanceof Object[]) n++;
        this.summaries = n;
    }

    int singles() {
        return items.size() - summaries;
    }

    /**
     * The messages a batch-mode connection with nothing pending writes: the summaries and the first
     * {@code singles} click frames, cut as {@link LiveConnection} cuts them (a lone frame as it is).
     */
    List<String> messages(int singles) {
        int k = Math.min(singles, Math.min(singles(), LiveConnection.SINGLES_PER_SECOND));
        List<String> m = bySingles.get(k);
        if (m == null) {
            m = build(k);
            bySingles.set(k, m); // two loops may both build it: the same value
        }
        return m;
    }

    private List<String> build(int singles) {
        List<String> frames = new ArrayList<>(summaries + singles);
        for (int i = 0; i < summaries; i++) frames.add((String) ((Object[]) items.get(i))[1]);
        for (int i = 0; i < singles; i++) frames.add((String) items.get(summaries + i));
        List<String> out = new ArrayList<>(1);
        int i = 0;
        while (i < frames.size()) {
            String first = frames.get(i++);
            if (i == frames.size()) {
                out.add(first);
                break;
            }
            int length = 0;
            for (int j = i - 1; j < frames.size(); j++) length += frames.get(j).length() + 2;
            StringBuilder sb = new StringBuilder(Math.min(length, LiveConnection.MAX_BATCH_CHARS) + 64)
                    .append("{\"type\":\"batch\",\"frames\":[\n").append(first).append(",\n").append(frames.get(i++));
            while (sb.length() < LiveConnection.MAX_BATCH_CHARS && i < frames.size()) sb.append(",\n").append(frames.get(i++));
            out.add(sb.append("\n]}").toString());
        }
        return out;
    }
}
