package dev.kurz.abuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kurz.config.ConfigException;
import dev.kurz.link.LinkBlock;
import dev.kurz.link.LinkRules;
import dev.kurz.testing.MutableClock;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BlocklistsTest {
    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T12:00:00Z"));

    private Path file(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    private Blocklists lists(Path... files) {
        return new Blocklists(List.of(files), clock);
    }

    private static boolean blocked(Blocklists lists, String rawUrl) {
        return lists.block(LinkRules.normalizeUrl(rawUrl)) != null;
    }

    @Test
    void domainLine_blocksTheDomainAndItsSubdomains() throws IOException {
        Blocklists l = lists(file("domains.txt", "bad.example\n"));
        assertThat(blocked(l, "https://bad.example/")).isTrue();
        assertThat(blocked(l, "http://BAD.example:8080/x?y#z")).isTrue();
        assertThat(blocked(l, "https://www.bad.example/")).isTrue();
        assertThat(blocked(l, "https://a.b.bad.example/")).isTrue();
        assertThat(blocked(l, "https://notbad.example/")).isFalse();
        assertThat(blocked(l, "https://bad.example.org/")).isFalse();
        assertThat(blocked(l, "https://example/")).isFalse();
    }

    @Test
    void block_namesTheHostTheFileAndWhenTheListWasLoaded() throws IOException {
        Blocklists l = lists(file("phishing.txt", "bad.example\n"));
        LinkBlock b = l.block("https://www.bad.example/x");
        assertThat(b.source()).isEqualTo("blocklist");
        assertThat(b.reason()).contains("bad.example").contains("phishing.txt").doesNotContain(dir.toString());
        assertThat(b.at()).isEqualTo(clock.instant());
    }

    @Test
    void hostsFileLines_blockEveryNameOnTheLine_butNotTheHostsFileBoilerplate() throws IOException {
        Blocklists l = lists(file("hosts", """
                # StevenBlack-style hosts file
                127.0.0.1 localhost
                127.0.0.1 localhost.localdomain
                255.255.255.255 broadcasthost
                ::1 localhost
                fe80::1%lo0 localhost
                0.0.0.0 0.0.0.0
                0.0.0.0 ads.example
                127.0.0.1 tracker.example   # inline comment
                0.0.0.0\tone.example two.example
                """));
        assertThat(blocked(l, "https://ads.example/")).isTrue();
        assertThat(blocked(l, "https://tracker.example/")).isTrue();
        assertThat(blocked(l, "https://one.example/")).isTrue();
        assertThat(blocked(l, "https://two.example/")).isTrue();
        assertThat(l.sizes()[0]).isEqualTo(4);
    }

    @Test
    void urlLines_blockThatUrlAndWhatIsBelowIt_notTheWholeHost() throws IOException {
        Blocklists l = lists(file("urlhaus.txt", """
                ################################################################
                # abuse.ch URLhaus Database Dump (CSV - online URLs only)      #
                ################################################################
                http://shared.example/bins/mips
                https://files.example/dir/
                http://1.2.3.4:8080/i
                """));
        assertThat(blocked(l, "http://shared.example/bins/mips")).isTrue();
        assertThat(blocked(l, "https://shared.example/bins/mips")).as("whatever the scheme").isTrue();
        assertThat(blocked(l, "http://shared.example/bins/mips?x=1")).isTrue();
        assertThat(blocked(l, "http://shared.example/bins/mips#frag")).isTrue();
        assertThat(blocked(l, "http://shared.example/bins/mips/more")).isTrue();
        assertThat(blocked(l, "http://shared.example/bins/mipsel")).isFalse();
        assertThat(blocked(l, "http://shared.example/bins/")).isFalse();
        assertThat(blocked(l, "http://shared.example/")).isFalse();
        assertThat(blocked(l, "http://www.shared.example/bins/mips")).isFalse();
        assertThat(blocked(l, "https://files.example/dir/x.exe")).isTrue();
        assertThat(blocked(l, "https://files.example/other")).isFalse();
        assertThat(blocked(l, "http://1.2.3.4:8080/i")).isTrue();
        assertThat(blocked(l, "http://1.2.3.4:8081/i")).isFalse();
        assertThat(blocked(l, "http://16909060:8080/i")).as("the same host in another form").isTrue();
    }

    @Test
    void urlLine_ofASiteRoot_blocksTheSite() throws IOException {
        Blocklists l = lists(file("roots.txt", "http://evil.example\nhttp://evil2.example/\n"));
        assertThat(blocked(l, "http://evil.example/")).isTrue();
        assertThat(blocked(l, "http://evil.example")).isTrue();
        assertThat(blocked(l, "http://evil.example?x")).isTrue();
        assertThat(blocked(l, "https://evil2.example/deep/path")).isTrue();
        assertThat(blocked(l, "https://evil2.example")).isTrue();
    }

    @Test
    void commentsBlankLinesCrlfAndOtherNotations_areRead() throws IOException {
        Blocklists l = lists(file("mixed.txt", "\uFEFF# comment\r\n\r\n   \r\nbad.example\r\n! adblock comment\r\n||ads.example^\r\n"
                + "*.wild.example\r\nTrailing.Example.\r\n1.2.3.4\r\n[2001:db8::66]\r\nmünchen-bad.de\r\nnot a valid line at all\r\n"));
        assertThat(blocked(l, "https://bad.example/")).isTrue();
        assertThat(blocked(l, "https://x.ads.example/")).isTrue();
        assertThat(blocked(l, "https://a.wild.example/")).isTrue();
        assertThat(blocked(l, "https://trailing.example/")).isTrue();
        assertThat(blocked(l, "http://1.2.3.4/")).isTrue();
        assertThat(blocked(l, "http://0x01020304/")).isTrue();
        assertThat(blocked(l, "http://[2001:db8:0::66]/")).isTrue();
        assertThat(blocked(l, "https://MÜNCHEN-bad.de/")).isTrue();
        assertThat(blocked(l, "https://comment/")).isFalse();
        assertThat(l.sizes()[0]).isEqualTo(7);
    }

    @Test
    void ipEntries_matchOnlyThatAddress() throws IOException {
        Blocklists l = lists(file("ips.txt", "3.4\n1.2.3.4\n"));
        assertThat(blocked(l, "http://1.2.3.4/")).isTrue();
        assertThat(blocked(l, "http://9.1.2.3/")).isFalse();
    }

    @Test
    void severalFiles_allApply() throws IOException {
        Blocklists l = lists(file("a.txt", "a.example\n"), file("b.txt", "http://b.example/x\n"));
        assertThat(l.block("https://a.example/").reason()).contains("a.txt");
        assertThat(l.block("http://b.example/x").reason()).contains("b.txt");
        assertThat(l.block("https://c.example/")).isNull();
    }

    @Test
    void refresh_afterTheFileChanged_appliesTheNewListAndTellsOnce() throws IOException {
        Path f = file("list.txt", "old.example\n");
        AtomicInteger changes = new AtomicInteger();
        Blocklists l = lists(f).onChange(changes::incrementAndGet);
        assertThat(l.refresh()).as("unchanged file").isFalse();
        Files.writeString(f, "new.example\nother.example\n");
        clock.advance(Duration.ofSeconds(5));
        assertThat(l.refresh()).isTrue();
        assertThat(blocked(l, "https://new.example/")).isTrue();
        assertThat(blocked(l, "https://old.example/")).isFalse();
        assertThat(l.block("https://new.example/").at()).isEqualTo(clock.instant());
        assertThat(l.refresh()).isFalse();
        assertThat(changes.get()).isEqualTo(1);
    }

    @Test
    void refresh_ofAFileRewrittenWithTheSameEntries_isNoChange() throws IOException {
        Path f = file("list.txt", "same.example\n");
        AtomicInteger changes = new AtomicInteger();
        Blocklists l = lists(f).onChange(changes::incrementAndGet);
        Files.writeString(f, "# now with a comment\nsame.example\n");
        assertThat(l.refresh()).isFalse();
        assertThat(changes.get()).isZero();
    }

    @Test
    void refresh_ofAFileReplacedByRename_seesTheNewFile() throws IOException {
        Path f = file("list.txt", "one.example\n");
        Blocklists l = lists(f);
        Path tmp = file("list.txt.tmp", "two.example\n");
        Files.setLastModifiedTime(tmp, Files.getLastModifiedTime(f));
        Files.move(tmp, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        assertThat(l.refresh()).isTrue();
        assertThat(blocked(l, "https://two.example/")).isTrue();
    }

    @Test
    void refresh_ofAFileThatCannotBeRead_keepsTheLastGoodList() throws IOException {
        Path f = file("list.txt", "bad.example\n");
        Blocklists l = lists(f);
        Files.delete(f);
        assertThat(l.refresh()).isFalse();
        assertThat(l.refresh()).isFalse();
        assertThat(blocked(l, "https://bad.example/")).isTrue();
        Files.writeString(f, "worse.example\n");
        assertThat(l.refresh()).isTrue();
        assertThat(blocked(l, "https://worse.example/")).isTrue();
    }

    @Test
    void start_pollsTheFiles_andAppliesAChangeWithinTheInterval() throws Exception {
        Path f = file("list.txt", "first.example\n");
        AtomicInteger changes = new AtomicInteger();
        try (Blocklists l = lists(f).onChange(changes::incrementAndGet).start(Duration.ofMillis(100))) {
            Files.writeString(f, "second.example\n");
            Files.setLastModifiedTime(f, FileTime.from(Instant.now().plusSeconds(1)));
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (changes.get() == 0 && System.nanoTime() < deadline) Thread.sleep(20);
            assertThat(changes.get()).isEqualTo(1);
            assertThat(blocked(l, "https://second.example/")).isTrue();
        }
    }

    @Test
    void constructor_withAFileThatCannotBeRead_failsTheStart() {
        assertThatThrownBy(() -> lists(dir.resolve("missing.txt")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("KURZ_BLOCKLIST");
    }

    @Test
    void noLists_blockNothing() {
        Blocklists l = new Blocklists(List.of(), clock);
        assertThat(l.block("https://bad.example/")).isNull();
        assertThat(l.refresh()).isFalse();
    }

    @Test
    void aMillionLines_loadInAFewSeconds() throws IOException {
        Path f = dir.resolve("big.txt");
        try (BufferedWriter w = Files.newBufferedWriter(f)) {
            for (int i = 0; i < 1_000_000; i++) {
                w.write(i % 3 == 0 ? "0.0.0.0 host" + i + ".example\n" : i % 3 == 1 ? "domain" + i + ".example\n" : "http://h" + i + ".example/p\n");
            }
        }
        long t0 = System.nanoTime();
        Blocklists l = lists(f);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(l.sizes()[0] + l.sizes()[1]).isEqualTo(1_000_000);
        assertThat(blocked(l, "https://sub.domain999997.example/")).isTrue();
        assertThat(blocked(l, "http://h999998.example/p")).isTrue();
        assertThat(blocked(l, "http://h999998.example/q")).isFalse();
        assertThat(ms).as("load time on a shared 2-core machine").isLessThan(15_000);
    }
}
