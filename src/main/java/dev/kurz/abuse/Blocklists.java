package dev.kurz.abuse;

import dev.kurz.config.ConfigException;
import dev.kurz.link.Hosts;
import dev.kurz.link.LinkBlock;
import dev.kurz.link.LinkRules;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blocklist files in the formats public feeds use, reloaded when they change.
 *
 * <p>Each line is one of: a domain ({@code bad.example}, also {@code *.bad.example} and adblock's
 * {@code ||bad.example^}), which blocks the domain and its subdomains; a hosts-file line
 * ({@code 0.0.0.0 bad.example other.example}); an IP address, which blocks that host; a full URL
 * (URLhaus style), which blocks that URL and the URLs below it ({@code http://h/x} blocks
 * {@code http://h/x?y} and {@code http://h/x/y}, not {@code http://h/xy} nor the rest of the host,
 * because feeds list URLs on shared hosts), whatever the scheme. {@code #} and {@code !} start
 * comments; blank lines and CRLF are fine.
 *
 * <p>Design: an entry is kept as a 64-bit hash of its canonical text in a sorted {@code long[]}:
 * a million domains take 8 MB and load in about a second, and a lookup hashes each suffix of the
 * host (each prefix of the URL) and binary-searches, without allocating. Two different entries
 * sharing a hash is a 1-in-2^64 event per pair. A reload replaces a file's arrays in one volatile
 * write, so readers never lock.
 */
public final class Blocklists implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Blocklists.class);
    /** Names hosts files map to themselves; never entries. */
    private static final Set<String> HOSTS_FILE_NAMES = Set.of("localhost", "localhost.localdomain", "local", "broadcasthost",
            "ip6-localhost", "ip6-loopback", "ip6-localnet", "ip6-mcastprefix", "ip6-allnodes", "ip6-allrouters", "ip6-allhosts",
            "0.0.0.0");

    private final List<ListFile> files;
    private final InstantSource clock;
    private volatile Runnable onChange = () -> {};
    private ScheduledExecutorService poller;

    /** Loads every file now; a file that cannot be read stops the start. */
    public Blocklists(List<Path> paths, InstantSource clock) {
        this.clock = clock;
        List<ListFile> fs = new ArrayList<>();
        for (Path p : paths) {
            ListFile f = new ListFile(p);
            try {
                f.load(clock.instant());
            } catch (IOException e) {
                throw ConfigException.bad("KURZ_BLOCKLIST", p.toString(), "readable blocklist files (" + e.getMessage() + ")");
            }
            fs.add(f);
        }
        this.files = List.copyOf(fs);
    }

    /** Runs {@code action} after a reload changed what is blocked (the redirect caches forget their links). */
    public Blocklists onChange(Runnable action) {
        this.onChange = action;
        return this;
    }

    /** Checks the files every {@code interval} on a thread of its own. */
    public Blocklists start(java.time.Duration interval) {
        if (files.isEmpty()) return this;
        poller = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("kurz-blocklists").daemon(true).factory());
        long ms = interval.toMillis();
        poller.scheduleWithFixedDelay(this::refresh, ms, ms, TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * Reloads each file whose size, modification time or identity changed since its last load;
     * true (and {@code onChange} run) when what is blocked changed. A file that cannot be read
     * keeps its last good entries and is logged once until it can be read again.
     */
    public boolean refresh() {
        boolean changed = false;
        for (ListFile f : files) {
            try {
                changed |= f.refresh(clock.instant());
            } catch (IOException | RuntimeException e) {
                if (!f.failing) log.warn("blocklist {} cannot be read; keeping its last good version: {}", f.path, e.toString());
                f.failing = true;
            }
        }
        if (changed) {
            try {
                onChange.run();
            } catch (RuntimeException e) {
                log.warn("blocklist change listener failed: {}", e.toString());
            }
        }
        return changed;
    }

    /** The block a list puts on this normalized URL now, or null. No allocation on a miss. */
    public LinkBlock block(String url) {
        if (files.isEmpty()) return null;
        int sep = url.indexOf("://");
        if (sep < 0) return null;
        int hostStart = sep + 3;
        int authorityEnd = url.length();
        for (int i = hostStart; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                authorityEnd = i;
                break;
            }
        }
        int hostEnd = authorityEnd;
        if (url.charAt(hostStart) == '[') {
            hostEnd = url.indexOf(']', hostStart) + 1;
        } else {
            int colon = url.lastIndexOf(':', authorityEnd - 1);
            if (colon > hostStart) hostEnd = colon;
        }
        boolean ip = url.charAt(hostStart) == '[' || Character.isDigit(url.charAt(hostEnd - 1));
        int fragment = url.indexOf('#', authorityEnd);
        int end = fragment < 0 ? url.length() : fragment;
        for (ListFile f : files) {
            Entries e = f.entries;
            // The host and, for names, each parent domain.
            for (int i = hostStart; i < hostEnd; ) {
                if (Arrays.binarySearch(e.domains, hash(url, i, hostEnd)) >= 0) {
                    return new LinkBlock("the host " + url.substring(i, hostEnd) + " is on the blocklist " + f.name(), LinkBlock.BLOCKLIST, e.loadedAt);
                }
                if (ip) break;
                int dot = url.indexOf('.', i);
                if (dot < 0 || dot >= hostEnd) break;
                i = dot + 1;
            }
            if (e.urls.length == 0) continue;
            // The URL without scheme and fragment (a missing path read as "/"), and each prefix of it
            // that ends before or after a '/', or before a '?' or '&'.
            boolean rootless = authorityEnd == end || url.charAt(authorityEnd) != '/';
            for (int i = authorityEnd; i <= end; i++) {
                char c = i == end ? 0 : url.charAt(i);
                if (i != end && c != '?' && c != '&' && c != '/') continue;
                boolean hit = (i > authorityEnd || rootless) && listed(e, url, hostStart, i, authorityEnd, rootless)
                        || c == '/' && listed(e, url, hostStart, i + 1, authorityEnd, rootless);
                if (hit) return new LinkBlock("the URL is on the blocklist " + f.name(), LinkBlock.BLOCKLIST, e.loadedAt);
            }
        }
        return null;
    }

    /** Whether url[from, to) is listed; a URL without a path is hashed as if its path were "/". */
    private static boolean listed(Entries e, String url, int from, int to, int authorityEnd, boolean rootless) {
        return Arrays.binarySearch(e.urls, hash(url, from, to, rootless ? url : null, authorityEnd)) >= 0;
    }

    /** How many entries the lists hold (domains and hosts, URLs). */
    public long[] sizes() {
        long d = 0, u = 0;
        for (ListFile f : files) {
            d += f.entries.domains.length;
            u += f.entries.urls.length;
        }
        return new long[] {d, u};
    }

    @Override
    public void close() {
        if (poller != null) poller.shutdownNow();
    }

    // ---- one file ----

    private record Entries(long[] domains, long[] urls, Instant loadedAt) {
        static final Entries EMPTY = new Entries(new long[0], new long[0], Instant.EPOCH);

        boolean sameAs(Entries o) {
            return Arrays.equals(domains, o.domains) && Arrays.equals(urls, o.urls);
        }
    }

    private static final class ListFile {
        final Path path;
        volatile Entries entries = Entries.EMPTY;
        Object version;
        boolean failing;

        ListFile(Path path) {
            this.path = path;
        }

        String name() {
            return path.getFileName().toString();
        }

        boolean refresh(Instant now) throws IOException {
            if (Objects.equals(version(), version)) {
                if (failing) log.info("blocklist {} can be read again", path);
                failing = false;
                return false;
            }
            Entries before = entries;
            load(now);
            if (failing) log.info("blocklist {} can be read again", path);
            failing = false;
            return !before.sameAs(entries);
        }

        private Object version() throws IOException {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            return List.of(a.size(), a.lastModifiedTime(), String.valueOf(a.fileKey()));
        }

        void load(Instant now) throws IOException {
            long t0 = System.nanoTime();
            Object v = version();
            Parsed p = parse(path);
            Entries e = new Entries(p.domains.sortedDistinct(), p.urls.sortedDistinct(), now);
            Entries before = entries;
            entries = e;
            version = v;
            if (before == Entries.EMPTY || !before.sameAs(e)) {
                log.info("blocklist {}: {} domains and hosts, {} URLs, {} lines skipped ({} ms)", path, e.domains.length, e.urls.length,
                        p.skipped, (System.nanoTime() - t0) / 1_000_000);
            }
        }
    }

    // ---- parsing ----

    /** What a file holds, before sorting. */
    static final class Parsed {
        final LongList domains = new LongList();
        final LongList urls = new LongList();
        int skipped;
    }

    static Parsed parse(Path path) throws IOException {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
        try (BufferedReader in = new BufferedReader(new java.io.InputStreamReader(Files.newInputStream(path), decoder), 1 << 16)) {
            Parsed p = new Parsed();
            String line;
            boolean first = true;
            while ((line = in.readLine()) != null) {
                if (first && !line.isEmpty() && line.charAt(0) == '\uFEFF') line = line.substring(1);
                first = false;
                parseLine(line, p);
            }
            return p;
        }
    }

    static void parseLine(String raw, Parsed p) {
        String line = raw.strip();
        if (line.isEmpty() || line.charAt(0) == '#' || line.charAt(0) == '!') return;
        if (line.charAt(0) == '[' && line.indexOf(':') < 0) return; // an adblock header such as [Adblock Plus 2.0]
        if (line.contains("://")) {
            int ws = firstWhitespace(line);
            String url = ws < 0 ? line : line.substring(0, ws);
            if (!addUrl(url, p)) p.skipped++;
            return;
        }
        int hash = line.indexOf('#');
        if (hash >= 0) line = line.substring(0, hash).strip();
        if (line.isEmpty()) return;
        String[] tokens = line.split("\\s+");
        if (tokens.length > 1) {
            // A hosts-file line: an address, then the names it maps.
            if (Hosts.address(safeCanonical(tokens[0])) == null) {
                p.skipped++;
                return;
            }
            for (int i = 1; i < tokens.length; i++) {
                if (!HOSTS_FILE_NAMES.contains(tokens[i].toLowerCase(Locale.ROOT)) && !addHost(tokens[i], p)) p.skipped++;
            }
            return;
        }
        String host = tokens[0];
        if (host.startsWith("||")) host = host.substring(2);
        if (host.endsWith("^")) host = host.substring(0, host.length() - 1);
        if (host.startsWith("*.")) host = host.substring(2);
        if (!addHost(host, p)) p.skipped++;
    }

    private static String safeCanonical(String host) {
        try {
            return Hosts.canonical(host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    private static boolean addHost(String host, Parsed p) {
        if (host.endsWith(".")) host = host.substring(0, host.length() - 1);
        String canonical = safeCanonical(host.toLowerCase(Locale.ROOT));
        if (canonical.isEmpty()) return false;
        p.domains.add(hash(canonical, 0, canonical.length()));
        return true;
    }

    private static boolean addUrl(String raw, Parsed p) {
        String url;
        try {
            url = LinkRules.normalizeUrl(raw);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int start = url.indexOf("://") + 3;
        int fragment = url.indexOf('#');
        int end = fragment < 0 ? url.length() : fragment;
        int authorityEnd = end;
        for (int i = start; i < end; i++) {
            if (url.charAt(i) == '/' || url.charAt(i) == '?') {
                authorityEnd = i;
                break;
            }
        }
        boolean rootless = authorityEnd == end || url.charAt(authorityEnd) != '/';
        p.urls.add(hash(url, start, end, rootless ? url : null, authorityEnd));
        return true;
    }

    private static int firstWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) return i;
        }
        return -1;
    }

    // ---- hashing ----

    private static long hash(String s, int from, int to) {
        return hash(s, from, to, null, 0);
    }

    /**
     * 64-bit FNV-1a of s[from, to) then a murmur finalizer; with {@code insertSlashAt} non-null, a
     * '/' is hashed at {@code slashAt} (a URL without a path hashes like the same URL with "/").
     */
    private static long hash(String s, int from, int to, String insertSlashAt, int slashAt) {
        long h = 0xcbf29ce484222325L;
        for (int i = from; i < to; i++) {
            if (insertSlashAt != null && i == slashAt) h = (h ^ '/') * 0x100000001b3L;
            h = (h ^ s.charAt(i)) * 0x100000001b3L;
        }
        if (insertSlashAt != null && slashAt == to) h = (h ^ '/') * 0x100000001b3L;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    /** A growable list of longs, sorted and deduplicated once at the end. */
    static final class LongList {
        private long[] a = new long[1024];
        private int n;

        void add(long v) {
            if (n == a.length) a = Arrays.copyOf(a, n * 2);
            a[n++] = v;
        }

        long[] sortedDistinct() {
            long[] out = Arrays.copyOf(a, n);
            Arrays.sort(out);
            int k = 0;
            for (int i = 0; i < out.length; i++) {
                if (k == 0 || out[i] != out[k - 1]) out[k++] = out[i];
            }
            return k == out.length ? out : Arrays.copyOf(out, k);
        }
    }
}
