package dev.kurz.config;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Every setting, read from the environment once at start and validated; a bad value stops the
 * start with one line that names the variable, the value and what was expected.
 */
public record KurzConfig(Server server, Storage storage, Redis redis, Cache cache, Auth auth, Clicks clicks, Analytics analytics,
                         Http http, Abuse abuse, Audit audit, RateLimits rateLimits, Resilience resilience,
                         Observability observability, Imports imports,
                         Compat compat, Integrations integrations) {

    /**
     * Import jobs (issue 11): {@code workers} run at once on each node, at most {@code queue} are
     * queued or running in all (more get 503), files up to {@code maxBytes}, {@code chunk} rows per
     * transaction, and a job whose node stopped renewing its {@code lease} is resumed by another.
     */
    public record Imports(int workers, int queue, long maxBytes, int chunk, Duration lease) {
        static Imports from(Env env) {
            Duration lease = env.duration("KURZ_IMPORT_LEASE", Duration.ofSeconds(30));
            if (lease.compareTo(Duration.ofSeconds(1)) < 0 || lease.compareTo(Duration.ofHours(1)) > 0) {
                throw ConfigException.bad("KURZ_IMPORT_LEASE", env.string("KURZ_IMPORT_LEASE", ""), "a duration from 1s to 1h");
            }
            return new Imports(env.integer("KURZ_IMPORT_WORKERS", 1, 1, 64), env.integer("KURZ_IMPORT_QUEUE", 16, 1, 10_000),
                    env.longValue("KURZ_IMPORT_MAX_BYTES", 512L * 1024 * 1024, 1024, 16L * 1024 * 1024 * 1024),
                    env.integer("KURZ_IMPORT_CHUNK", 1000, 1, 10_000), lease);
        }
    }

    /**
     * The compatible APIs: Shlink's and Bitly's are always served (their keys travel in headers);
     * YOURLS's only with {@code KURZ_YOURLS_API=true}, since its clients put the key in the URL.
     */
    public record Compat(boolean yourlsApi) {}

    /**
     * Deadlines on the dependencies (ADR 0016): a request that needs the database answers within
     * {@code dbTimeout} (503 past it; also the pool wait and PostgreSQL's statement timeout), each
     * Redis command within {@code redisTimeout}, and once Redis keeps failing it is left alone for
     * {@code redisRetryAfter} before a few trial commands.
     */
    public record Resilience(Duration dbTimeout, Duration redisTimeout, Duration redisRetryAfter) {
        public static final Resilience DEFAULTS = new Resilience(Duration.ofSeconds(5), Duration.ofMillis(200), Duration.ofSeconds(2));

        static Resilience from(Env env) {
            Duration db = within(env, "KURZ_DB_TIMEOUT", DEFAULTS.dbTimeout(), Duration.ofSeconds(1), Duration.ofSeconds(60), "1s to 60s");
            Duration redis = within(env, "KURZ_REDIS_TIMEOUT", DEFAULTS.redisTimeout(), Duration.ofMillis(10), Duration.ofSeconds(5), "10ms to 5s");
            Duration retry = within(env, "KURZ_REDIS_RETRY_AFTER", DEFAULTS.redisRetryAfter(), Duration.ofMillis(100), Duration.ofMinutes(5),
                    "100ms to 5m");
            return new Resilience(db, redis, retry);
        }

        private static Duration within(Env env, String name, Duration fallback, Duration min, Duration max, String range) {
            Duration d = env.duration(name, fallback);
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) throw ConfigException.bad(name, env.string(name, ""), "a duration from " + range);
            return d;
        }
    }

    /**
     * The HTTP edge's defences: how long a request's head, and then its body, may take to arrive;
     * how many connections one client address may hold open (0: no cap); which browser origins may
     * call the API (CORS; empty: none, {@code *}: any).
     */
    public record Http(Duration readTimeout, int maxConnectionsPerIp, java.util.List<String> corsOrigins) {
        public boolean corsAny() {
            return corsOrigins.contains("*");
        }
    }

    /**
     * Where Kurz listens and how its short URLs look; on SIGTERM it keeps serving for
     * {@code shutdownDrain} (readiness 503, {@code Connection: close} on every answer) before it
     * stops intake and gives requests in flight {@code shutdownGrace}.
     */
    public record Server(String host, int port, URI baseUrl, Path dataDir, Duration shutdownGrace, Duration shutdownDrain) {
        /** The base URL without a trailing slash, e.g. {@code https://kurz.example}. */
        public String base() {
            String s = baseUrl.toString();
            return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
        }
    }

    /** PostgreSQL when {@code jdbcUrl} is set; otherwise the SQLite file under the data folder. */
    public record Storage(String jdbcUrl, String user, String password, int poolSize) {
        public boolean postgres() {
            return jdbcUrl != null;
        }
    }

    /** Redis for the shared cache and cross-node invalidation; {@code url} null when not configured. */
    public record Redis(String url) {
        public boolean enabled() {
            return url != null;
        }
    }

    /** The redirect cache: how many links, how long a hit and a miss stay. */
    public record Cache(int maxLinks, Duration ttl, Duration negativeTtl, Duration sharedTtl) {}

    /**
     * Click capture: the in-memory buffer between redirects and the database, and how often it is
     * written. Longer intervals mean fewer, larger transactions (one row update per link per flush).
     * On SQLite a flush appends to the click log, and the log is folded into the rollups every
     * {@code compactInterval} (ADR 0013).
     */
    public record Clicks(int bufferSize, Duration flushInterval, Duration compactInterval) {}

    /**
     * Click analytics: which proxies may tell the client's address (CIDRs, empty: none), what of
     * the address raw clicks keep (none, anonymized, full), how long raw clicks stay, and the
     * MaxMind-format country database (null: the one shipped with Kurz).
     */
    public record Analytics(String trustedProxies, String storeIp, int rawRetentionDays, Path geoipDb) {}

    /**
     * Screening of destinations: private and local hosts and other URL shorteners are refused
     * unless allowed; {@code shortenerDomains} null means Kurz's own list; blocklist files are
     * checked for changes every {@code blocklistPoll}.
     */
    public record Abuse(boolean allowPrivate, boolean allowShorteners, java.util.List<String> shortenerDomains,
                        java.util.List<Path> blocklists, Duration blocklistPoll) {
        public static final Abuse DEFAULTS = new Abuse(false, false, null, java.util.List.of(), Duration.ofSeconds(5));

        static Abuse from(Env env) {
            boolean allowPrivate = bool(env, "KURZ_ALLOW_PRIVATE_DESTINATIONS");
            boolean allowShorteners = bool(env, "KURZ_ALLOW_SHORTENER_DESTINATIONS");
            String domains = env.string("KURZ_SHORTENER_DOMAINS", null);
            java.util.List<String> shorteners = null;
            if (domains != null) {
                shorteners = new java.util.ArrayList<>();
                for (String d : domains.split(",")) {
                    String t = d.strip().toLowerCase(java.util.Locale.ROOT);
                    if (t.isEmpty()) continue;
                    if (!t.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+")) {
                        throw ConfigException.bad("KURZ_SHORTENER_DOMAINS", domains, "a comma-separated list of domain names such as bit.ly,tinyurl.com");
                    }
                    shorteners.add(t);
                }
                shorteners = java.util.List.copyOf(shorteners);
            }
            java.util.List<Path> lists = new java.util.ArrayList<>();
            String files = env.string("KURZ_BLOCKLIST", "");
            for (String f : files.split(",")) {
                if (f.isBlank()) continue;
                Path path = Path.of(f.strip());
                if (!java.nio.file.Files.isRegularFile(path) || !java.nio.file.Files.isReadable(path)) {
                    throw ConfigException.bad("KURZ_BLOCKLIST", files, "a comma-separated list of readable files (" + f.strip() + " is not one)");
                }
                lists.add(path);
            }
            Duration poll = env.duration("KURZ_BLOCKLIST_POLL", Duration.ofSeconds(5));
            if (poll.compareTo(Duration.ofSeconds(1)) < 0 || poll.compareTo(Duration.ofSeconds(60)) > 0) {
                throw ConfigException.bad("KURZ_BLOCKLIST_POLL", env.string("KURZ_BLOCKLIST_POLL", ""), "a duration from 1s to 60s");
            }
            return new Abuse(allowPrivate, allowShorteners, shorteners, java.util.List.copyOf(lists), poll);
        }

        static boolean bool(Env env, String name) {
            String v = env.string(name, "false").toLowerCase(java.util.Locale.ROOT);
            if (v.equals("true")) return true;
            if (v.equals("false")) return false;
            throw ConfigException.bad(name, v, "true or false");
        }
    }

    /** An admin key to ensure at start, for automation; null when not set. */
    public record Auth(String bootstrapKey) {}

    /** The audit trail: how many days its events stay (purged hourly). */
    public record Audit(int retentionDays) {}

    /**
     * Token buckets (README, "Rate limits"): API calls per key and per client address, wrong API
     * keys per address, redirects, live-feed connects and abuse reports per address. With Redis the
     * API, auth-failure and report limits hold across nodes; redirects and connects are per node.
     */
    public record RateLimits(Rate api, Rate apiIp, Rate authFailures, Rate redirect, Rate live, Rate reports, Duration redisTimeout) {
        public RateLimits(Rate api, Rate apiIp, Rate authFailures, Rate redirect, Rate live, Rate reports) {
            this(api, apiIp, authFailures, redirect, live, reports, Duration.ofMillis(150));
        }

        static RateLimits from(Env env) {
            Duration redisTimeout = env.duration("KURZ_RATELIMIT_REDIS_TIMEOUT", Duration.ofMillis(150));
            if (redisTimeout.isZero() || redisTimeout.compareTo(Duration.ofSeconds(5)) > 0) {
                throw ConfigException.bad("KURZ_RATELIMIT_REDIS_TIMEOUT", env.string("KURZ_RATELIMIT_REDIS_TIMEOUT", ""), "a duration from 1ms to 5s");
            }
            return new RateLimits(
                    Rate.from(env, "KURZ_RATELIMIT_API", Rate.of(1200, Duration.ofMinutes(1))),
                    Rate.from(env, "KURZ_RATELIMIT_API_IP", Rate.of(2400, Duration.ofMinutes(1))),
                    Rate.from(env, "KURZ_RATELIMIT_AUTH_FAILURES", Rate.of(10, Duration.ofMinutes(1))),
                    Rate.from(env, "KURZ_RATELIMIT_REDIRECT", Rate.of(100, Duration.ofSeconds(1))),
                    Rate.from(env, "KURZ_RATELIMIT_LIVE", Rate.of(30, Duration.ofMinutes(1))),
                    Rate.from(env, "KURZ_RATELIMIT_REPORTS", Rate.of(10, Duration.ofHours(1))),
                    redisTimeout);
        }
    }

    /**
     * Metrics, logs and traces: the management port for /metrics and /health/* ({@code -1}: none),
     * whether redirects are timed, the log format (text or json; logback.xml reads it too), the share
     * of redirects traced, and the standard {@code OTEL_*} variables (tracing is on when an OTLP
     * endpoint is among them and {@code OTEL_SDK_DISABLED} is not true).
     */
    public record Observability(int managementPort, String managementHost, boolean redirectMetrics, String logFormat,
                                double traceRedirectRatio, java.util.Map<String, String> otel) {
        public static final Observability DEFAULTS = new Observability(-1, "0.0.0.0", true, "text", 0, java.util.Map.of());

        public boolean management() {
            return managementPort >= 0;
        }

        public boolean tracing() {
            return !"true".equalsIgnoreCase(otel.getOrDefault("OTEL_SDK_DISABLED", "false"))
                    && (otel.containsKey("OTEL_EXPORTER_OTLP_ENDPOINT") || otel.containsKey("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"));
        }

        static Observability from(Env env) {
            String raw = env.string("KURZ_MANAGEMENT_PORT", "9090").toLowerCase(java.util.Locale.ROOT);
            int port;
            if (raw.equals("off") || raw.equals("0")) {
                port = -1;
            } else {
                port = env.integer("KURZ_MANAGEMENT_PORT", 9090, 1, 65535);
            }
            String redirects = env.string("KURZ_METRICS_REDIRECTS", "on").toLowerCase(java.util.Locale.ROOT);
            if (!redirects.equals("on") && !redirects.equals("off")) throw ConfigException.bad("KURZ_METRICS_REDIRECTS", redirects, "on or off");
            String format = env.string("KURZ_LOG_FORMAT", "text");
            if (!format.equals("text") && !format.equals("json")) throw ConfigException.bad("KURZ_LOG_FORMAT", format, "text or json (lower case)");
            String ratioRaw = env.string("KURZ_TRACE_REDIRECT_RATIO", "0");
            double ratio;
            try {
                ratio = Double.parseDouble(ratioRaw);
            } catch (NumberFormatException e) {
                ratio = -1;
            }
            if (!(ratio >= 0 && ratio <= 1)) throw ConfigException.bad("KURZ_TRACE_REDIRECT_RATIO", ratioRaw, "a number from 0 to 1, e.g. 0.001");
            return new Observability(port, env.string("KURZ_MANAGEMENT_HOST", "0.0.0.0"), redirects.equals("on"), format, ratio,
                    env.withPrefix("OTEL_"));
        }
    }

    public static KurzConfig from(Env env) {
        int port = env.integer("KURZ_PORT", 8080, 0, 65535);
        String host = env.string("KURZ_HOST", "0.0.0.0");
        URI base = baseUrl(env.string("KURZ_BASE_URL", "http://localhost:" + port));
        Path dataDir = Path.of(env.string("KURZ_DATA_DIR", "./data"));
        Duration grace = env.duration("KURZ_SHUTDOWN_GRACE", Duration.ofSeconds(10));
        Duration drain = env.duration("KURZ_SHUTDOWN_DRAIN", Duration.ofSeconds(5));
        if (drain.compareTo(Duration.ofMinutes(10)) > 0) {
            throw ConfigException.bad("KURZ_SHUTDOWN_DRAIN", env.string("KURZ_SHUTDOWN_DRAIN", ""), "a duration of at most 10m");
        }
        Storage storage = storage(env.secret("KURZ_DATABASE_URL"), env.integer("KURZ_DB_POOL_SIZE", 10, 1, 500));
        Redis redis = new Redis(redisUrl(env.secret("KURZ_REDIS_URL")));
        Cache cache = new Cache(
                env.integer("KURZ_CACHE_MAX_LINKS", 1_000_000, 0, 100_000_000),
                env.duration("KURZ_CACHE_TTL", Duration.ofMinutes(10)),
                env.duration("KURZ_CACHE_NEGATIVE_TTL", Duration.ofSeconds(5)),
                env.duration("KURZ_REDIS_CACHE_TTL", Duration.ofHours(1)));
        String key = env.secret("KURZ_API_KEY");
        String weakness = key == null ? null : AdminKeys.weakness(key);
        if (weakness != null) {
            throw new ConfigException("KURZ_API_KEY is too weak (" + weakness + "): use at least " + AdminKeys.MIN_LENGTH
                    + " random characters, e.g. from: openssl rand -base64 32");
        }
        Clicks clicks = new Clicks(env.integer("KURZ_CLICK_BUFFER", 262_144, 1024, 16_777_216),
                env.duration("KURZ_CLICK_FLUSH_INTERVAL", Duration.ofSeconds(1)),
                env.duration("KURZ_CLICK_COMPACT_INTERVAL", Duration.ofSeconds(60)));
        if (clicks.flushInterval().isZero()) {
            throw ConfigException.bad("KURZ_CLICK_FLUSH_INTERVAL", "0", "a duration of at least 1ms");
        }
        if (clicks.compactInterval().compareTo(Duration.ofHours(1)) > 0) {
            throw ConfigException.bad("KURZ_CLICK_COMPACT_INTERVAL", env.string("KURZ_CLICK_COMPACT_INTERVAL", ""), "a duration of at most 1h");
        }
        String storeIp = env.string("KURZ_STORE_IP", "none").toLowerCase(java.util.Locale.ROOT);
        if (!java.util.Set.of("none", "anonymized", "full").contains(storeIp)) {
            throw ConfigException.bad("KURZ_STORE_IP", storeIp, "none, anonymized or full");
        }
        String geo = env.string("KURZ_GEOIP_DB", null);
        if (geo != null && !java.nio.file.Files.isReadable(Path.of(geo))) {
            throw ConfigException.bad("KURZ_GEOIP_DB", geo, "the path of a readable MaxMind-format .mmdb file");
        }
        Analytics analytics = new Analytics(env.string("KURZ_TRUSTED_PROXIES", ""), storeIp,
                env.integer("KURZ_RAW_RETENTION_DAYS", 30, 1, 3650), geo == null ? null : Path.of(geo));
        Http http = new Http(env.duration("KURZ_HTTP_READ_TIMEOUT", Duration.ofSeconds(10)),
                env.integer("KURZ_MAX_CONNECTIONS_PER_IP", 256, 0, 1_000_000), corsOrigins(env.string("KURZ_CORS_ORIGINS", "")));
        if (http.readTimeout().toSeconds() < 1) {
            throw ConfigException.bad("KURZ_HTTP_READ_TIMEOUT", env.string("KURZ_HTTP_READ_TIMEOUT", ""), "a duration of at least 1s");
        }
        return new KurzConfig(new Server(host, port, base, dataDir, grace, drain), storage, redis, cache, new Auth(key), clicks, analytics, http,
                Abuse.from(env), new Audit(env.integer("KURZ_AUDIT_RETENTION_DAYS", 365, 1, 36_500)),
                RateLimits.from(env), Resilience.from(env), Observability.from(env), Imports.from(env),
                new Compat(Abuse.bool(env, "KURZ_YOURLS_API")), Integrations.from(env));
    }

    /** {@code *}, or a comma-separated list of origins such as {@code https://app.example,http://localhost:3000}. */
    static java.util.List<String> corsOrigins(String raw) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (String part : raw.split(",")) {
            String o = part.strip();
            if (o.isEmpty()) continue;
            if (o.equals("*")) {
                out.add(o);
                continue;
            }
            try {
                URI u = new URI(o);
                String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(java.util.Locale.ROOT);
                if ((scheme.equals("http") || scheme.equals("https")) && u.getHost() != null
                        && (u.getRawPath() == null || u.getRawPath().isEmpty()) && u.getRawQuery() == null && u.getUserInfo() == null) {
                    out.add(scheme + "://" + u.getHost().toLowerCase(java.util.Locale.ROOT) + (u.getPort() > 0 ? ":" + u.getPort() : ""));
                    continue;
                }
            } catch (Exception ignored) {
                // reported below
            }
            throw ConfigException.bad("KURZ_CORS_ORIGINS", raw, "* or a comma-separated list of origins such as https://app.example (scheme, host, optional port; no path)");
        }
        return java.util.List.copyOf(out);
    }

    static URI baseUrl(String raw) {
        try {
            URI u = new URI(raw);
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase();
            if ((scheme.equals("http") || scheme.equals("https")) && u.getHost() != null
                    && u.getQuery() == null && u.getFragment() == null && u.getUserInfo() == null) {
                return u;
            }
        } catch (Exception ignored) {
            // reported below
        }
        throw ConfigException.bad("KURZ_BASE_URL", raw, "an absolute http or https URL such as https://kurz.example");
    }

    /** Accepts {@code postgresql://user:pass@host:port/db?opts}, {@code postgres://…} or {@code jdbc:postgresql://…}. */
    static Storage storage(String raw, int poolSize) {
        if (raw == null) return new Storage(null, null, null, poolSize);
        String expected = "postgresql://user:password@host:5432/database or jdbc:postgresql://host:5432/database";
        if (raw.startsWith("jdbc:postgresql://")) return new Storage(raw, null, null, poolSize);
        if (!raw.startsWith("postgresql://") && !raw.startsWith("postgres://")) {
            throw ConfigException.bad("KURZ_DATABASE_URL", redact(raw), expected);
        }
        try {
            URI u = new URI(raw);
            if (u.getHost() == null || u.getPath() == null || u.getPath().length() < 2) {
                throw new IllegalArgumentException();
            }
            String user = null;
            String password = null;
            if (u.getRawUserInfo() != null) {
                String[] parts = u.getRawUserInfo().split(":", 2);
                user = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
                if (parts.length == 2) password = URLDecoder.decode(parts[1], StandardCharsets.UTF_8);
            }
            String jdbc = "jdbc:postgresql://" + u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "")
                    + u.getRawPath() + (u.getRawQuery() != null ? "?" + u.getRawQuery() : "");
            return new Storage(jdbc, user, password, poolSize);
        } catch (Exception e) {
            throw ConfigException.bad("KURZ_DATABASE_URL", redact(raw), expected);
        }
    }

    static String redisUrl(String raw) {
        if (raw == null) return null;
        try {
            URI u = new URI(raw);
            if (("redis".equals(u.getScheme()) || "rediss".equals(u.getScheme())) && u.getHost() != null) return raw;
        } catch (Exception ignored) {
            // reported below
        }
        throw ConfigException.bad("KURZ_REDIS_URL", redact(raw), "redis://[:password@]host:port[/db]");
    }

    /** Keeps passwords out of error messages and logs. */
    public static String redact(String url) {
        return url == null ? null : url.replaceAll("//([^:/@]*):[^@/]*@", "//$1:***@");
    }
}
