package dev.kurz.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.analytics.ClickAggregate.DimKey;
import dev.kurz.analytics.ClickAggregate.TimeKey;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClickAggregateTest {
    private static final long T0 = 1_800_000_000_000L;

    private static List<EnrichedClick> clicks() {
        List<EnrichedClick> out = new ArrayList<>();
        List<Visit.Traits> traits = new ArrayList<>();
        for (int t = 0; t < 100; t++) traits.add(new Visit.Traits(t % 10 == 0, "C" + (t % 7), "B" + (t % 3), "O", "desktop", "r" + t));
        for (int rep = 0; rep < 2; rep++) {
            for (int m = 0; m < 3; m++) {
                for (Visit.Traits t : traits) {
                    out.add(new EnrichedClick(1, "hot", T0 + m * 60_000L, false, new Visit(7, false, t, null, "UA")));
                }
            }
        }
        for (long link = 2; link < 5002; link++) {
            out.add(new EnrichedClick(link, "x", T0, link % 2 == 0, new Visit(0, false, traits.get(0), null, null)));
        }
        return out;
    }

    @Test
    void add_manyTraitsAndLinks_countsEveryRollupRowExactly() {
        ClickAggregate a = new ClickAggregate();
        clicks().forEach(a::add);
        long minute = T0 / 60_000L;
        assertThat(a.minutes().get(new TimeKey(1, minute)).clicks).isEqualTo(200);
        assertThat(a.minutes().get(new TimeKey(1, minute)).human).isEqualTo(180);
        assertThat(a.minutes().get(new TimeKey(ClickAggregate.ALL_LINKS, minute)).clicks).isEqualTo(200 + 5000);
        long day = minute / 1440;
        assertThat(a.dims().get(new DimKey(1, day, "referrer", "r42"))[0]).isEqualTo(6);
        assertThat(a.dims().get(new DimKey(1, day, "country", "C0"))[0]).isEqualTo(6L * 15);
        assertThat(a.linkClicks(1)).isEqualTo(600);
        assertThat(a.linkClicks(3)).isEqualTo(1);
        assertThat(a.linkClicks(4)).isZero(); // already counted on the hot path
        assertThat(a.linkClicks()).hasSize(1 + 2500);
    }

    @Test
    void addRollups_givesWhatAddingEveryClickGives() {
        ClickAggregate direct = new ClickAggregate();
        ClickAggregate merged = new ClickAggregate();
        List<EnrichedClick> all = clicks();
        all.forEach(direct::add);
        for (int from = 0; from < all.size(); from += 333) {
            ClickAggregate part = new ClickAggregate();
            all.subList(from, Math.min(all.size(), from + 333)).forEach(part::add);
            merged.addRollups(part);
        }
        assertThat(merged.rollupClicks()).isEqualTo(all.size());
        assertThat(merged.minutes().keySet()).isEqualTo(direct.minutes().keySet());
        direct.minutes().forEach((k, v) -> assertThat(merged.minutes().get(k).clicks).isEqualTo(v.clicks));
        direct.dims().forEach((k, v) -> assertThat(merged.dims().get(k)[0]).as(k.toString()).isEqualTo(v[0]));
        assertThat(merged.linkClicks()).isEqualTo(direct.linkClicks());
        assertThat(merged.registers().toMap()).isEqualTo(direct.registers().toMap());
    }

    @Test
    void add_smartTargets_countedPerLinkAndDayByValueNotIdentity() {
        Visit.Traits t = new Visit.Traits(false, "DE", "Chrome", "Linux", "desktop", "");
        ClickAggregate direct = new ClickAggregate();
        ClickAggregate merged = new ClickAggregate();
        List<EnrichedClick> all = new ArrayList<>();
        for (int i = 0; i < 90; i++) {
            // Equal values in distinct instances (a link cached again makes new ones), across midnight, on two links.
            String target = new String(i % 3 == 0 ? "variant:1" : "variant:0");
            long at = T0 + (i % 2) * 86_400_000L;
            all.add(new EnrichedClick(1 + i % 5 / 4, "s", at, false, new Visit(i, false, t, null, "UA"), target));
        }
        all.forEach(direct::add);
        for (int from = 0; from < all.size(); from += 7) {
            ClickAggregate part = new ClickAggregate();
            all.subList(from, Math.min(all.size(), from + 7)).forEach(part::add);
            merged.addRollups(part);
        }
        long day = T0 / 86_400_000L;
        long total = 0;
        for (ClickAggregate a : List.of(direct, merged)) {
            total = 0;
            for (var e : a.dims().entrySet()) {
                if (!e.getKey().dim().equals("target")) continue;
                assertThat(e.getKey().linkId()).as("targets are per link, never of all links").isNotEqualTo(ClickAggregate.ALL_LINKS);
                total += e.getValue()[0];
            }
            assertThat(total).isEqualTo(90);
            long expected = all.stream().filter(c -> c.linkId() == 1 && c.epochMillis() / 86_400_000L == day && c.target().equals("variant:1")).count();
            assertThat(a.dims().get(new DimKey(1, day, "target", "variant:1"))[0]).isEqualTo(expected);
        }
    }
}
