package dev.kurz.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kurz.analytics.Visit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The packed raw-click format: round trips with and without smart-link targets, and packs of the older version. */
class ClickPackTest {
    private static final Visit ALICE = new Visit(0x0102030405060708L, false, false, "DE", "Firefox", "Linux", "desktop", "news.example",
            null, "UA a");
    private static final Visit BOT = new Visit(0, true, true, "US", null, null, "bot", null, "203.0.113.0", "Slackbot");

    private static List<ClickPack.Entry> read(byte[] pack) {
        List<ClickPack.Entry> out = new ArrayList<>();
        ClickPack.read(pack, out::add);
        return out;
    }

    @Test
    void roundTrip_withTargets_keepsEachClicksTargetAndCountedFlag() {
        List<ClickPack.Entry> clicks = List.of(
                new ClickPack.Entry(5, 7, 1_000, true, ALICE, "variant:1"),
                new ClickPack.Entry(6, 7, 1_001, false, ALICE, "rule:0"),
                new ClickPack.Entry(9, 8, 990, true, BOT, null), // a plain link in the same pack, time going back
                new ClickPack.Entry(12, 7, 2_000, false, BOT, "https://example.com/else"),
                new ClickPack.Entry(13, 7, 2_000, true, ALICE, "variant:1"));
        ClickPack.Writer w = new ClickPack.Writer();
        for (ClickPack.Entry e : clicks) w.add(e.id(), e.linkId(), e.epochMillis(), e.counted(), e.visit(), e.target());
        assertThat(w.count()).isEqualTo(5);
        assertThat(w.minTs).isEqualTo(990);
        assertThat(w.maxTs).isEqualTo(2_000);
        byte[] pack = w.toBytes();
        assertThat(pack[0]).isEqualTo((byte) ClickPack.VERSION);
        assertThat(read(pack)).containsExactlyElementsOf(clicks);
        assertThat(read(pack).get(4).stored().target()).isEqualTo("variant:1");
        assertThat(read(pack).get(1).enriched().target()).isEqualTo("rule:0");
    }

    @Test
    void roundTrip_withoutTargets_readsNull_andATargetCostsItsTableEntryNotABytePerClick() {
        ClickPack.Writer w = new ClickPack.Writer();
        for (int i = 0; i < 100; i++) w.add(i, 7, 1_000 + i, i % 2 == 0, i % 3 == 0 ? BOT : ALICE, null);
        byte[] pack = w.toBytes();
        List<ClickPack.Entry> back = read(pack);
        assertThat(back).hasSize(100).allSatisfy(e -> assertThat(e.target()).isNull());
        assertThat(back.get(4)).isEqualTo(new ClickPack.Entry(4, 7, 1_004, true, ALICE, null));
        // The flags varint has room for small target numbers: the same clicks, all served "variant:0", add only the table.
        ClickPack.Writer w2 = new ClickPack.Writer();
        for (int i = 0; i < 100; i++) w2.add(i, 7, 1_000 + i, i % 2 == 0, i % 3 == 0 ? BOT : ALICE, "variant:0");
        assertThat(w2.toBytes().length).as("a target costs its table entry, not a byte per click")
                .isEqualTo(pack.length + "variant:0".length() + 1);
    }

    /** A pack as version 2 wrote it, byte by byte (before targets were kept): it reads, with no targets. */
    @Test
    void read_version2Pack_writtenBeforeTargets_readsEveryClickWithoutTarget() {
        byte[] v2 = {
                2, // version
                2, 3, 'D', 'E', 8, 'c', 'u', 'r', 'l', '/', '8', '1', // strings: "DE", "curl/81"
                1, 1, 2, 3, 4, 5, 6, 7, 8, 2, 1, 0, 0, 0, 0, 0, 2, // one visit: visitor, flags (head), DE, …, user agent
                2, // clicks
                7, (byte) 0xD0, 0x0F, 10, 0, 1, // link 7, ts +1000, id +5, visit 0, counted
                7, 2, 2, 0, 0}; // link 7, ts +1, id +1, visit 0, not counted
        Visit visit = new Visit(0x0102030405060708L, false, true, "DE", null, null, null, null, null, "curl/81");
        assertThat(read(v2)).containsExactly(
                new ClickPack.Entry(5, 7, 1_000, true, visit, null),
                new ClickPack.Entry(6, 7, 1_001, false, visit, null));
    }

    @Test
    void read_unknownVersion_fails() {
        assertThatThrownBy(() -> read(new byte[] {4, 0, 0, 0, 0})).hasMessageContaining("unknown click pack version 4");
    }
}
