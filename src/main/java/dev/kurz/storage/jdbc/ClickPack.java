package dev.kurz.storage.jdbc;

import dev.kurz.analytics.EnrichedClick;
import dev.kurz.analytics.StatsStore.StoredClick;
import dev.kurz.analytics.Visit;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Raw clicks packed into one blob: the distinct strings once, the distinct {@link Visit}s once
 * (referring to the strings), the distinct targets once, then per click its link, time, id, visit
 * and target as varints (deltas where they are ordered). A click costs ~6 bytes and a new visitor
 * ~15 more, where a row per click cost SQLite its user agent again and a B-tree insert on two indexes.
 *
 * <pre>
 *   version(1)=3
 *   strings:varint { length:varint utf-8 }
 *   visits:varint { visitor:8 flags:1 country browser os device referrer ip userAgent } (each: varint, 0 null, i+1 string i)
 *   targets:varint { length:varint utf-8 }
 *   clicks:varint { link:varint ts:zigzag-delta id:zigzag-delta visit:varint served:varint }
 *     served = target << 1 | counted, target 0 for none (a plain link) or i+1 for targets[i]
 * </pre>
 *
 * <p>Version 2 (before smart links' targets were kept) has no target table and a {@code counted}
 * byte of 0 or 1 where version 3 has {@code served}: the same bytes as a varint with target 0, so
 * both read with one loop. A plain link's click costs the same in both.
 */
final class ClickPack {
    static final int VERSION = 3;
    /** Packs written before targets were kept (no target table); still read. */
    static final int VERSION_WITHOUT_TARGETS = 2;

    /** A decoded click: what the log keeps of an {@link EnrichedClick}, plus its stable id. */
    record Entry(long id, long linkId, long epochMillis, boolean counted, Visit visit, String target) {
        StoredClick stored() {
            return new StoredClick(id, epochMillis, visit.visitor(), visit.bot(), visit.country(), visit.browser(), visit.os(),
                    visit.device(), visit.referrerHost(), visit.ip(), visit.userAgent(), target);
        }

        EnrichedClick enriched() {
            return new EnrichedClick(linkId, "", epochMillis, counted, visit, target);
        }
    }

    /** Builds one pack. Visits are told apart by identity: share instances to keep packs small. */
    static final class Writer {
        private final Map<Visit, Integer> visitIndex = new IdentityHashMap<>();
        private final List<Visit> visits = new ArrayList<>();
        private final Map<String, Integer> targetIndex = new java.util.HashMap<>();
        private final List<String> targets = new ArrayList<>();
        private final Out clicks = new Out(256);
        private int count;
        private long lastTs;
        private long lastId;
        long minTs = Long.MAX_VALUE;
        long maxTs = Long.MIN_VALUE;

        private Visit lastVisit;
        private int lastIndex;
        private String lastTarget;
        private int lastTargetRef;

        /** {@code target}: what a smart link served (null for a plain link); few distinct values, stored once each. */
        void add(long id, long linkId, long epochMillis, boolean counted, Visit visit, String target) {
            int v;
            if (visit == lastVisit) {
                v = lastIndex;
            } else {
                Integer known = visitIndex.get(visit);
                if (known == null) {
                    known = visits.size();
                    visitIndex.put(visit, known);
                    visits.add(visit);
                }
                v = known;
                lastVisit = visit;
                lastIndex = v;
            }
            clicks.varint(linkId);
            clicks.varint(zigzag(epochMillis - lastTs));
            clicks.varint(zigzag(id - lastId));
            clicks.varint(v);
            clicks.varint((long) targetRef(target) << 1 | (counted ? 1 : 0));
            lastTs = epochMillis;
            lastId = id;
            minTs = Math.min(minTs, epochMillis);
            maxTs = Math.max(maxTs, epochMillis);
            count++;
        }

        private int targetRef(String target) {
            if (target == null) return 0;
            if (target != lastTarget) {
                Integer known = targetIndex.get(target);
                if (known == null) {
                    targets.add(target);
                    known = targets.size();
                    targetIndex.put(target, known);
                }
                lastTarget = target;
                lastTargetRef = known;
            }
            return lastTargetRef;
        }

        int count() {
            return count;
        }

        byte[] toBytes() {
            Map<String, Integer> strings = new java.util.LinkedHashMap<>();
            Out refs = new Out(visits.size() * 16 + 16);
            for (Visit v : visits) {
                refs.fixed64(v.visitor());
                refs.write((v.bot() ? 1 : 0) | (v.head() ? 2 : 0));
                for (String s : new String[] {v.country(), v.browser(), v.os(), v.device(), v.referrerHost(), v.ip(), v.userAgent()}) {
                    refs.varint(s == null ? 0 : strings.computeIfAbsent(s, k -> strings.size()) + 1L);
                }
            }
            Out out = new Out(clicks.size() + refs.size() + strings.size() * 24 + 16);
            out.write(VERSION);
            out.varint(strings.size());
            for (String s : strings.keySet()) out.string(s);
            out.varint(visits.size());
            out.write(refs.buffer(), 0, refs.size());
            out.varint(targets.size());
            for (String t : targets) out.string(t);
            out.varint(count);
            out.write(clicks.buffer(), 0, clicks.size());
            return out.toByteArray();
        }
    }

    /** Receives decoded clicks without an object per click. */
    interface Sink {
        void click(long id, long linkId, long epochMillis, boolean counted, Visit visit, String target);
    }

    /** Calls {@code sink} for every click of a pack, in the order they were added. */
    static void read(byte[] data, java.util.function.Consumer<Entry> sink) {
        read(data, v -> v, (id, link, ts, counted, visit, target) -> sink.accept(new Entry(id, link, ts, counted, visit, target)));
    }

    /** The same, passing each distinct visit of the pack through {@code intern} once. */
    static void read(byte[] data, java.util.function.UnaryOperator<Visit> intern, Sink sink) {
        In in = new In(data);
        int version = in.read();
        if (version != VERSION && version != VERSION_WITHOUT_TARGETS) throw new IllegalStateException("unknown click pack version " + version);
        String[] strings = new String[(int) in.varint()];
        for (int i = 0; i < strings.length; i++) strings[i] = in.string();
        Visit[] visits = new Visit[(int) in.varint()];
        for (int i = 0; i < visits.length; i++) {
            long visitor = in.fixed64();
            int flags = in.read();
            visits[i] = intern.apply(new Visit(visitor, (flags & 1) != 0, (flags & 2) != 0, in.ref(strings), in.ref(strings),
                    in.ref(strings), in.ref(strings), in.ref(strings), in.ref(strings), in.ref(strings)));
        }
        String[] targets = new String[version == VERSION ? (int) in.varint() : 0];
        for (int i = 0; i < targets.length; i++) targets[i] = in.string();
        long n = in.varint();
        long ts = 0;
        long id = 0;
        for (long i = 0; i < n; i++) {
            long link = in.varint();
            ts += unzigzag(in.varint());
            id += unzigzag(in.varint());
            Visit v = visits[(int) in.varint()];
            long served = in.varint(); // version 2: the counted byte, 0 or 1, which reads as a varint with no target
            sink.click(id, link, ts, (served & 1) != 0, v, in.ref(targets, served >>> 1));
        }
    }

    private static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    private static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }

    /** A growable byte array; unlike ByteArrayOutputStream, not synchronized on every byte. */
    private static final class Out {
        private byte[] buf;
        private int size;

        Out(int capacity) {
            buf = new byte[Math.max(16, capacity)];
        }

        void write(int b) {
            if (size == buf.length) buf = java.util.Arrays.copyOf(buf, buf.length * 2);
            buf[size++] = (byte) b;
        }

        void write(byte[] b, int off, int len) {
            if (size + len > buf.length) buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, size + len));
            System.arraycopy(b, off, buf, size, len);
            size += len;
        }

        void varint(long v) {
            while ((v & ~0x7FL) != 0) {
                write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            write((int) v);
        }

        void fixed64(long v) {
            for (int i = 56; i >= 0; i -= 8) write((int) (v >>> i));
        }

        void string(String s) {
            if (s == null) {
                varint(0);
                return;
            }
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            varint(b.length + 1L);
            write(b, 0, b.length);
        }

        int size() {
            return size;
        }

        byte[] buffer() {
            return buf;
        }

        byte[] toByteArray() {
            return java.util.Arrays.copyOf(buf, size);
        }
    }

    private static final class In {
        private final byte[] b;
        private int p;

        In(byte[] b) {
            this.b = b;
        }

        int read() {
            if (p >= b.length) throw new IllegalStateException("click pack truncated");
            return b[p++] & 0xFF;
        }

        long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int x = read();
                v |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) return v;
            }
            throw new IllegalStateException("click pack: bad varint");
        }

        long fixed64() {
            long v = 0;
            for (int i = 0; i < 8; i++) v = (v << 8) | read();
            return v;
        }

        String ref(String[] strings) {
            return ref(strings, varint());
        }

        String ref(String[] strings, long i) {
            if (i < 0 || i > strings.length) throw new IllegalStateException("click pack: bad string reference");
            return i == 0 ? null : strings[(int) i - 1];
        }

        String string() {
            int len = (int) varint();
            if (len == 0) return null;
            len--;
            if (len > b.length - p) throw new IllegalStateException("click pack truncated");
            String s = new String(b, p, len, StandardCharsets.UTF_8);
            p += len;
            return s;
        }
    }
}
