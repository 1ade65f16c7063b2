package dev.kurz.analytics;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import ua_parser.Client;
import ua_parser.Parser;

/**
 * Browser, OS, device class and bot flag of a User-Agent, for click analytics.
 *
 * <p>Families come from ua-parser (uap-java, with uap-core's regexes), normalized to short names.
 * It was chosen over yauaa, which classes devices itself, for its footprint: 5 MB of heap and
 * 0.2 s to start against 140 MB and 2 s. Parsing is slow — 0.35 ms for a browser's string, as it
 * tries hundreds of regexes in turn — so results are cached by User-Agent string (a hit costs
 * about 30 ns): visitors send a few thousand distinct strings at most. The library gives no device
 * class, so it is derived here from its device and OS families. Thread-safe.
 */
public final class UserAgents {
    static final String DESKTOP = "desktop", MOBILE = "mobile", TABLET = "tablet", BOT = "bot", OTHER = "other";

    /** What a User-Agent says. {@code device} is one of desktop, mobile, tablet, bot, other. */
    public record Agent(String browser, String os, String device, boolean bot) {
        Agent asBot() {
            return bot ? this : new Agent(browser, os, BOT, true);
        }
    }

    /**
     * Past this length the library's regexes take milliseconds (100 ms at 9 kB); real browsers send
     * a few hundred characters, so anything longer is cut before parsing and caching.
     */
    static final int MAX_LENGTH = 512;

    private static final Agent NO_AGENT = new Agent("Other", "Other", BOT, true);

    /**
     * Link-preview fetchers and HTTP tools, matched (lower case) before the library: ua-parser knows
     * crawlers, but not all of these, and a preview or a script fetching a short link is not a
     * visitor. Substrings, not regexes, so an unknown string costs nothing extra here.
     */
    private static final Map<String, String> AUTOMATED = new LinkedHashMap<>();

    static {
        // Link previews in chat apps and social networks. First match wins, and Telegram's says
        // "TelegramBot (like TwitterBot)".
        AUTOMATED.put("telegrambot", "TelegramBot");
        AUTOMATED.put("slackbot", "Slackbot");
        AUTOMATED.put("twitterbot", "Twitterbot");
        AUTOMATED.put("facebookexternalhit", "Facebook");
        AUTOMATED.put("facebookcatalog", "Facebook");
        AUTOMATED.put("whatsapp", "WhatsApp");
        AUTOMATED.put("discordbot", "Discordbot");
        AUTOMATED.put("linkedinbot", "LinkedInBot");
        AUTOMATED.put("mastodon", "Mastodon");
        AUTOMATED.put("bluesky cardyb", "Bluesky");
        AUTOMATED.put("skypeuripreview", "Skype");
        AUTOMATED.put("redditbot", "Redditbot");
        AUTOMATED.put("pinterestbot", "Pinterestbot");
        AUTOMATED.put("embedly", "Embedly");
        AUTOMATED.put("iframely", "Iframely");
        // Command-line tools, HTTP libraries and browser automation.
        AUTOMATED.put("curl/", "curl");
        AUTOMATED.put("wget/", "Wget");
        AUTOMATED.put("python-requests", "python-requests");
        AUTOMATED.put("python-urllib", "Python-urllib");
        AUTOMATED.put("aiohttp", "aiohttp");
        AUTOMATED.put("httpx", "httpx");
        AUTOMATED.put("go-http-client", "Go-http-client");
        AUTOMATED.put("okhttp", "okhttp");
        AUTOMATED.put("apache-httpclient", "Apache-HttpClient");
        AUTOMATED.put("java-http-client", "Java");
        AUTOMATED.put("node-fetch", "node-fetch");
        AUTOMATED.put("axios/", "axios");
        AUTOMATED.put("libwww-perl", "libwww-perl");
        AUTOMATED.put("httpie", "HTTPie");
        AUTOMATED.put("headlesschrome", "HeadlessChrome");
    }

    /** The automated clients above that are tools and libraries, not link-preview fetchers or crawlers. */
    private static final Set<String> TOOLS = Set.of("curl", "Wget", "python-requests", "Python-urllib", "aiohttp", "httpx",
            "Go-http-client", "okhttp", "Apache-HttpClient", "Java", "node-fetch", "axios", "libwww-perl", "HTTPie", "HeadlessChrome");

    /**
     * Whether a request with this User-Agent comes from a link-preview fetcher or a crawler (Slackbot,
     * facebookexternalhit, Twitterbot, Googlebot…): a bot that is not a command-line tool or library.
     */
    public boolean previewFetcher(String userAgent) {
        if (userAgent == null || userAgent.isBlank()) return false;
        Agent a = parse(userAgent, false);
        return a.bot() && !TOOLS.contains(a.browser());
    }

    private static final Map<String, String> BROWSERS = Map.of(
            "Mobile Safari", "Safari",
            "Mobile Safari UI/WKWebView", "Safari",
            "Chrome Mobile WebView", "Chrome WebView",
            "Samsung Internet", "Samsung Internet");

    private static final Set<String> LINUX = Set.of(
            "Linux", "Ubuntu", "Kubuntu", "Debian", "Fedora", "Red Hat", "CentOS", "Linux Mint", "Mint", "Arch Linux",
            "openSUSE", "SUSE", "Gentoo", "Slackware", "Mandriva", "Elementary OS");
    private static final Set<String> DESKTOP_OS = Set.of("Windows", "macOS", "Linux", "ChromeOS", "FreeBSD", "OpenBSD",
            "NetBSD");

    /** uap-core's 1,000 regexes, read and compiled on first use (0.2 s): {@link #warm} does it after start. */
    private static final class Uap {
        static final Parser PARSER = new Parser();
    }
    private final Cache<String, Agent> cache;
    /**
     * The exact strings seen last, direct-mapped by hash: a hit is one hash and one comparison
     * where the cache costs the shape's copy, its hash and a Caffeine read. Shared by the event
     * loops (smart links) and the batcher; a slot holds an immutable pair, so a race only loses a slot.
     */
    private final Recent[] recent = new Recent[4096];

    private record Recent(String ua, Agent agent) {}

    public UserAgents(int cacheSize) {
        this.cache = Caffeine.newBuilder()
                .maximumSize(cacheSize)
                // Maintenance inline on the caller (the batcher), as in RedirectCache: no thread
                // wake-up per batch on a machine whose cores the event loops need.
                .executor(Runnable::run)
                .build();
    }

    /**
     * What {@code userAgent} says. A HEAD request counts as a bot whatever its User-Agent says
     * (browsers send GET; link checkers and unfurlers probe with HEAD), and so does a missing one.
     */
    public Agent parse(String userAgent, boolean headRequest) {
        if (userAgent == null || userAgent.isBlank()) return NO_AGENT;
        int slot = userAgent.hashCode() & (recent.length - 1);
        Recent r = recent[slot];
        Agent agent;
        if (r != null && r.ua.equals(userAgent)) {
            agent = r.agent;
        } else {
            agent = cache.get(shape(userAgent.length() > MAX_LENGTH ? userAgent.substring(0, MAX_LENGTH) : userAgent), this::analyze);
            if (userAgent.length() <= MAX_LENGTH) recent[slot] = new Recent(userAgent, agent);
        }
        return headRequest ? agent.asBot() : agent;
    }

    /**
     * The cache key: {@code ua} with the digits of its product versions zeroed ("Chrome/131.0.6778.86"
     * becomes "Chrome/000.0.0000.00"), the platform comment in parentheses and "Mozilla/5.0" kept.
     * Browsers ship a new build every few days, so real visitors send thousands of strings that
     * differ only there; what Kurz keeps (family, OS, device class) does not depend on it, and one
     * parse per shape instead of per build is what keeps the batcher ahead of the redirects
     * (a miss costs 0.35 ms). The test corpus checks every shape parses as its original.
     */
    static String shape(String ua) {
        char[] out = null;
        int depth = 0;
        boolean version = false;
        for (int i = 0; i < ua.length(); i++) {
            char ch = ua.charAt(i);
            switch (ch) {
                case '(' -> { depth++; version = false; }
                case ')' -> { if (depth > 0) depth--; }
                case '/' -> version = depth == 0 && !ua.startsWith("Mozilla", i - 7);
                case ' ', ';', ',' -> version = false;
                default -> {
                    if (version && ch >= '1' && ch <= '9') {
                        if (out == null) out = ua.toCharArray();
                        out[i] = '0';
                    }
                }
            }
        }
        return out == null ? ua : new String(out);
    }

    /** Loads the parser now, off the start-up path, so the first click does not wait for it. */
    public static void warm() {
        Uap.PARSER.parse("Mozilla/5.0");
    }

    /** Shapes parsed and kept. */
    long cached() {
        return cache.estimatedSize();
    }

    private Agent analyze(String ua) {
        String lower = ua.toLowerCase(Locale.ROOT);
        for (Map.Entry<String, String> e : AUTOMATED.entrySet()) {
            if (lower.contains(e.getKey())) return new Agent(e.getValue(), "Other", BOT, true);
        }
        Client c = Uap.PARSER.parse(ua);
        String os = os(c.os.family);
        if ("Spider".equals(c.device.family)) return new Agent(c.userAgent.family, "Other", BOT, true);
        return new Agent(browser(c.userAgent.family), os, device(c.device.family, os, ua), false);
    }

    /** "Chrome Mobile iOS" and "Firefox Mobile" are Chrome and Firefox: the device says the rest. */
    static String browser(String family) {
        String mapped = BROWSERS.get(family);
        if (mapped != null) return mapped;
        for (String suffix : new String[] {" Mobile iOS", " Mobile", " iOS"}) {
            if (family.endsWith(suffix) && family.length() > suffix.length()) {
                return family.substring(0, family.length() - suffix.length());
            }
        }
        return family;
    }

    static String os(String family) {
        if (family.equals("Mac OS X")) return "macOS";
        if (family.equals("Chrome OS")) return "ChromeOS";
        if (family.startsWith("Windows") && !family.startsWith("Windows Phone")) return "Windows";
        if (LINUX.contains(family)) return "Linux";
        return family;
    }

    /**
     * ua-parser names the device (iPhone, iPad, "Samsung SM-X710") but does not class it. Android
     * phones send "Mobile" and tablets do not, as Google asks of browser makers; an iPad that
     * requests desktop sites sends a Mac User-Agent and counts as desktop.
     */
    private static String device(String family, String os, String ua) {
        if (family.equals("iPad") || family.equals("Generic Tablet") || family.startsWith("Kindle")) return TABLET;
        if (family.equals("iPhone") || family.equals("iPod") || family.startsWith("Generic Smartphone")
                || family.equals("Generic Feature Phone")) {
            return MOBILE;
        }
        if (os.equals("Android")) return ua.contains("Mobile") ? MOBILE : TABLET;
        if (os.equals("iOS")) return MOBILE;
        if (DESKTOP_OS.contains(os)) return DESKTOP;
        return OTHER;
    }
}
