package dev.kurz.analytics;

import dev.kurz.analytics.ClickAggregate.RegisterKey;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;

/**
 * Unique-visitor sketch registers — (link, day, register) → the largest rank seen — in three
 * primitive arrays with open addressing.
 *
 * <p>Design: every human click touches two registers (its link's and all links'), and with real
 * visitors most touches are new keys. As a map of record keys and boxed ranks that was three
 * objects per key, kept for up to a minute by the SQLite click log: they outlived young
 * collections, were copied and promoted, and the old generation's card scanning grew with them —
 * the longest event-loop stalls of the realistic-visitor benchmark. Arrays hold no references, so
 * the collector neither traces nor copies what is in them. Rank 0 marks an empty slot (ranks are
 * 1 to {@link Hll#MAX_RANK}).
 */
public final class Registers {
    /** One register and its rank. */
    public interface Row {
        void accept(long linkId, long day, int register, int rank);
    }

    private long[] links = new long[64];
    private long[] dayRegs = new long[64];
    private byte[] ranks = new byte[64];
    private int size;

    /** Raises (link, day, register) to {@code rank} if it is lower. */
    public void max(long linkId, long day, int register, int rank) {
        long dayReg = day << Hll.PRECISION | register;
        int mask = ranks.length - 1;
        for (int i = slot(linkId, dayReg, mask); ; i = (i + 1) & mask) {
            if (ranks[i] == 0) {
                links[i] = linkId;
                dayRegs[i] = dayReg;
                ranks[i] = (byte) rank;
                if (++size * 2 > ranks.length) grow();
                return;
            }
            if (links[i] == linkId && dayRegs[i] == dayReg) {
                if (ranks[i] < rank) ranks[i] = (byte) rank;
                return;
            }
        }
    }

    /** Max-merges every register of {@code other} into this. */
    public void addAll(Registers other) {
        for (int i = 0; i < other.ranks.length; i++) {
            if (other.ranks[i] != 0) max(other.links[i], other.dayRegs[i] >>> Hll.PRECISION, register(other.dayRegs[i]), other.ranks[i]);
        }
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** Every register, in no particular order. */
    public void forEach(Row row) {
        for (int i = 0; i < ranks.length; i++) {
            if (ranks[i] != 0) row.accept(links[i], dayRegs[i] >>> Hll.PRECISION, register(dayRegs[i]), ranks[i]);
        }
    }

    /** Slots in (link, day, register) order, for writers that must take row locks in one order. */
    public int[] sortedSlots() {
        Integer[] slots = new Integer[size];
        int n = 0;
        for (int i = 0; i < ranks.length; i++) if (ranks[i] != 0) slots[n++] = i;
        Arrays.sort(slots, Comparator.<Integer>comparingLong(i -> links[i]).thenComparingLong(i -> dayRegs[i]));
        int[] out = new int[size];
        for (int i = 0; i < size; i++) out[i] = slots[i];
        return out;
    }

    public long linkId(int slot) {
        return links[slot];
    }

    public long day(int slot) {
        return dayRegs[slot] >>> Hll.PRECISION;
    }

    public int register(int slot) {
        return register(dayRegs[slot]);
    }

    public int rank(int slot) {
        return ranks[slot];
    }

    /** As a map, for tests and the one-off migration. */
    public Map<RegisterKey, Integer> toMap() {
        Map<RegisterKey, Integer> m = new HashMap<>();
        forEach((link, day, reg, rank) -> m.put(new RegisterKey(link, day, reg), rank));
        return m;
    }

    private static int register(long dayReg) {
        return (int) (dayReg & (Hll.REGISTERS - 1));
    }

    private void grow() {
        long[] oldLinks = links, oldDayRegs = dayRegs;
        byte[] oldRanks = ranks;
        links = new long[oldRanks.length * 2];
        dayRegs = new long[oldRanks.length * 2];
        ranks = new byte[oldRanks.length * 2];
        int mask = ranks.length - 1;
        for (int j = 0; j < oldRanks.length; j++) {
            if (oldRanks[j] == 0) continue;
            int i = slot(oldLinks[j], oldDayRegs[j], mask);
            while (ranks[i] != 0) i = (i + 1) & mask;
            links[i] = oldLinks[j];
            dayRegs[i] = oldDayRegs[j];
            ranks[i] = oldRanks[j];
        }
    }

    private static int slot(long linkId, long dayReg, int mask) {
        long h = (linkId * 0x9E3779B97F4A7C15L) ^ (dayReg * 0xC2B2AE3D27D4EB4FL);
        return (int) (h ^ (h >>> 29) ^ (h >>> 41)) & mask;
    }
}
