package dev.kurz.app;

import dev.kurz.alert.Alerts;
import dev.kurz.analytics.ClickBatcher;
import dev.kurz.analytics.ClickBuffer;
import dev.kurz.analytics.Enricher;
import dev.kurz.analytics.GeoIp;
import dev.kurz.analytics.IpStorage;
import dev.kurz.analytics.StatsService;
import dev.kurz.analytics.TrustedProxies;
import dev.kurz.analytics.UserAgents;
import dev.kurz.analytics.VisitorHasher;
import dev.kurz.config.ConfigException;
import dev.kurz.storage.jdbc.JdbcAlertStore;
import dev.kurz.storage.jdbc.AnalyticsStore;
import dev.kurz.storage.redis.RedisSalts;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.ScheduledExecutorService;
import dev.kurz.auth.ApiKeys;
import dev.kurz.config.KurzConfig;
import dev.kurz.link.Link;
import dev.kurz.link.LinkListener;
import dev.kurz.live.LiveHub;
import dev.kurz.web.LinkJson;
import io.vertx.core.json.JsonObject;
import dev.kurz.link.LinkRules;
import dev.kurz.link.LinkService;
import dev.kurz.link.PendingClicks;
import dev.kurz.link.SlugPermutation;
import dev.kurz.ops.Health;
import dev.kurz.ops.Metrics;
import dev.kurz.redirect.RedirectCache;
import dev.kurz.redirect.Redirector;
import dev.kurz.redirect.SharedLinkCache;
import dev.kurz.storage.jdbc.Database;
import dev.kurz.storage.jdbc.JdbcStore;
import dev.kurz.storage.redis.RedisLinks;
import dev.kurz.web.WebServer;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running node: wires the features in start-up order and takes them down in the reverse,
 * each wait bounded: stop intake (readiness fails, the HTTP servers finish what is in flight),
 * drain clicks, close Redis, Vert.x and the pools.
 */
public final class Kurz implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Kurz.class);
    static final Duration REDIS_START_TIMEOUT = Duration.ofSeconds(10);
    /** The prefix of a domain change on the links' invalidation channel; link keys never start with '@'. */
    static final String DOMAIN_CHANGED = "@";
    private static final int WEBHOOK_RETENTION_DAYS = 30;
    /** Names this process's claims on shared jobs (webhook deliveries, link checks). */
    private static final String NODE = "node-" + Long.toString(new SecureRandom().nextLong() >>> 1, 36);

    private final KurzConfig config;
    private final Database db;
    private final ExecutorService blocking;
    private final Vertx vertx;
    private final RedisLinks redis;
    /** The shared salts' refresh timer, with Redis; null without. */
    private final RedisSalts sharedSalts;
    private final ClickBatcher batcher;
    private final Health health;
    private final WebServer web;
    private final RedirectCache cache;
    private final Optional<ApiKeys.Issued> firstKey;
    private final GeoIp geo;
    private final AnalyticsStore analytics;
    private final ScheduledExecutorService maintenance;
    private final dev.kurz.analytics.OrphanVisits orphans;
    private final LiveHub hub;
    private final Alerts alerts;
    private final dev.kurz.abuse.Blocklists blocklists;
    private final dev.kurz.abuse.Abuse abuse;
    private final dev.kurz.audit.AuditLog audit;
    private final dev.kurz.idempotency.Idempotency idempotency;
    private final dev.kurz.live.RevokedKeySweep keySweep;
    private final int port;
    private final DataDirLock dataDirLock;
    private final dev.kurz.web.ManagementServer management;
    private final int managementPort;
    private final Metrics metrics;
    private final dev.kurz.ops.Telemetry telemetry;
    private final dev.kurz.webhook.Webhooks webhooks;
    private final dev.kurz.webhook.Dispatcher dispatcher;
    private final dev.kurz.storage.jdbc.JdbcWebhookStore webhookStore;
    private final dev.kurz.linkcheck.LinkChecks linkChecks;
    private volatile boolean closed;
    private final dev.kurz.transfer.ImportJobs imports;
    private final List<dev.kurz.transfer.ImportJobs.Listener> importListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    private Kurz(KurzConfig config, InstantSource clock, List<AutoCloseable> opened, java.util.function.Consumer<ApiKeys.Issued> onFirstKey) {
        this.config = config;
        // Before anything touches the SQLite file: a second process on it would double-count clicks.
        this.dataDirLock = config.storage().postgres() ? null : DataDirLock.acquire(config.server().dataDir());
        StartTrace.mark("data dir lock");
        if (dataDirLock != null) opened.add(dataDirLock);
        KurzConfig.Analytics a = config.analytics();
        TrustedProxies proxies;
        try {
            proxies = TrustedProxies.parse(a.trustedProxies());
        } catch (IllegalArgumentException e) {
            throw ConfigException.bad("KURZ_TRUSTED_PROXIES", a.trustedProxies(), "a comma-separated list of IP addresses or CIDRs (" + e.getMessage() + ")");
        }
        this.geo = GeoIp.open(a.geoipDb());
        StartTrace.mark("geoip");
        opened.add(geo);
        this.telemetry = dev.kurz.ops.Telemetry.start(config.observability());
        StartTrace.mark("telemetry");
        opened.add(telemetry);
        this.db = Database.open(config);
        StartTrace.mark("database + migrations");
        opened.add(db);
        if (dev.kurz.ops.JdbcObserver.wanted(telemetry)) {
            String system = config.storage().postgres() ? "postgresql" : "sqlite";
            db.instrument(ds -> dev.kurz.ops.JdbcObserver.wrap(ds, telemetry, system));
        }
        JdbcStore store = new JdbcStore(db);
        // Link changes write their webhook events in their own transaction (the outbox).
        store.writeEvents(new dev.kurz.webhook.LinkEvents(l -> LinkJson.toJson(l, config.server().base()), clock));
        this.webhookStore = new dev.kurz.storage.jdbc.JdbcWebhookStore(db);
        this.webhooks = new dev.kurz.webhook.Webhooks(webhookStore, clock, config.integrations().allowPrivate());
        this.blocking = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("kurz-io-", 0).factory());
        StartTrace.mark("stores");
        opened.add(blocking);
        int cores = Runtime.getRuntime().availableProcessors();
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(cores).setPreferNativeTransport(true));
        StartTrace.mark("vert.x");
        opened.add(() -> vertx.close().await(10, TimeUnit.SECONDS));

        ApiKeys keys = new ApiKeys(store, clock, blocking);
        if (config.auth().bootstrapKey() != null) keys.ensure(config.auth().bootstrapKey(), "KURZ_API_KEY");
        this.firstKey = keys.bootstrapIfNone();
        StartTrace.mark("api keys");
        // Shown at once: a start that fails later (port taken) must not lose the only admin key.
        firstKey.ifPresent(onFirstKey);

        SlugPermutation slugs = new SlugPermutation(store.installationSecret("slug-key", new SecureRandom().nextLong()));
        KurzConfig.Resilience deadlines = config.resilience();
        this.redis = config.redis().enabled() ? new RedisLinks(vertx, config.redis().url(), config.cache().sharedTtl(),
                deadlines.redisTimeout(), deadlines.redisRetryAfter()) : null;
        StartTrace.mark("slug secret + redis client");
        if (redis != null) opened.add(redis);
        KurzConfig.Cache c = config.cache();
        KurzConfig.Abuse abuseConfig = config.abuse();
        this.blocklists = new dev.kurz.abuse.Blocklists(abuseConfig.blocklists(), clock);
        opened.add(blocklists);
        var screening = new dev.kurz.abuse.Screening(abuseConfig, config.server().baseUrl(), blocklists);
        StartTrace.mark("abuse lists");
        this.cache = new RedirectCache(store, redis != null ? redis : SharedLinkCache.NONE, blocking, c.maxLinks(), c.ttl(), c.negativeTtl(),
                com.github.benmanes.caffeine.cache.Ticker.systemTicker(), screening);
        StartTrace.mark("redirect cache");
        // A list that changed what is blocked: every node forgets its links and reloads them with the new verdicts.
        RedirectCache redirects = cache;
        blocklists.onChange(() -> {
            redirects.invalidateAll();
            if (redis != null) redis.changedAll();
        }).start(abuseConfig.blocklistPoll());
        // With Redis, the shared entry goes first: otherwise this node could reload the old link from it.
        // 50 ms ticks: with the batcher's 5 ms drains, a click reaches a dashboard in ~60 ms plus delivery.
        this.hub = new LiveHub(clock, Duration.ofMillis(50));
        opened.add(hub);
        if (redis != null) {
            hub.relay(redis::publishLive);
            redis.onLive(hub::deliverRemote);
        }
        // A revoked key: its live feeds close here at once, on other nodes at once through Redis or
        // within a sweep (1 s) without it; REST calls are refused once the 1 s principal cache expires.
        keys.onRevoked(hub::keyRevoked);
        hub.onRemoteKeyRevoked(id -> keys.forget());
        this.keySweep = new dev.kurz.live.RevokedKeySweep(hub, keys::revokedAmong, Duration.ofSeconds(1));
        opened.add(keySweep);
        String base = config.server().base();
        LinkListener listener = new LinkListener() {
            @Override
            public void changed(String slug) {
                if (redis != null) redis.changed(slug);
                cache.changedLocally(slug);
                webhooks.queued();
            }

            @Override
            public void created(Link link) {
                changed(link.key());
                hub.onLink("created", link.key(), LinkJson.toJson(link, base));
            }

            @Override
            public void updated(Link link) {
                changed(link.key());
                hub.onLink("updated", link.key(), LinkJson.toJson(link, base));
            }

            @Override
            public void deleted(String slug) {
                changed(slug);
                hub.onLink("deleted", slug, new JsonObject().put("slug", slug));
            }
        };
        StartTrace.mark("live hub");
        this.analytics = AnalyticsStore.open(db, config.clicks().compactInterval());
        StartTrace.mark("analytics store");
        opened.add(analytics);
        AnalyticsStore clickCounts = analytics;
        LinkRules linkRules = new LinkRules(config.server().baseUrl().getHost(), clock, screening);
        // Domains change through the links' channel: a key "@host" (never a link key) makes every node read them again.
        dev.kurz.link.DomainService domains = new dev.kurz.link.DomainService(new dev.kurz.storage.jdbc.JdbcDomainStore(db), linkRules, clock,
                config.server().baseUrl().getHost()).onChange(host -> {
                    if (redis != null) redis.changed(DOMAIN_CHANGED + host);
                });
        domains.reload();
        StartTrace.mark("domains");
        LinkService links = new LinkService(store, linkRules, slugs, clock, listener,
                new PendingClicks() {
                    @Override
                    public long of(long linkId) {
                        return clickCounts.uncountedClicks(linkId);
                    }

                    @Override
                    public void settle() {
                        clickCounts.flush();
                    }

                    @Override
                    public <T> T atOneMoment(java.util.function.Supplier<T> read) {
                        return clickCounts.atOneMoment(read);
                    }
                });
        if (redis != null) {
            redis.onInvalidationChannel(cache::trustInvalidations); // ADR 0016: no channel, no long-lived entries
            // A frozen Redis accepts the connection and never answers: without a deadline the start would hang.
            redis.subscribe(key -> {
                if (key.startsWith(DOMAIN_CHANGED)) blocking.execute(domains::reload);
                else cache.invalidate(key);
            }, () -> {
                cache.invalidateAll();
                blocking.execute(domains::reload);
            }).toCompletionStage().toCompletableFuture()
                    .orTimeout(REDIS_START_TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
        }

        links.withDomains(domains);
        // With Redis, today's and tomorrow's salts are loaded before the first click: choosing a variant never waits for Redis.
        this.sharedSalts = redis != null ? new RedisSalts(redis.api(), redis.guard(), clock).start(RedisSalts.REFRESH_EVERY) : null;
        if (sharedSalts != null) opened.add(sharedSalts);
        VisitorHasher.SaltSource salts = sharedSalts != null ? sharedSalts : VisitorHasher.SaltSource.inMemory(new SecureRandom());
        UserAgents agents = new UserAgents(10_000);
        VisitorHasher visitors = new VisitorHasher(clock, salts);
        Enricher enricher = new Enricher(agents, geo, proxies, visitors, IpStorage.parse(a.storeIp()));
        ClickBuffer clicks = new ClickBuffer(config.clicks().bufferSize());
        this.batcher = new ClickBatcher(clicks, enricher, analytics, config.clicks().flushInterval(), config.clicks().bufferSize(),
                slice -> {
                    hub.onClicks(slice);
                    webhooks.onClicks(slice);
                }).start();
        StartTrace.mark("links + click batcher");
        opened.add(batcher);
        StatsService stats = new StatsService(analytics, clock, clicks::dropped, blocking);
        this.maintenance = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("kurz-maintenance").daemon(true).factory());
        opened.add(maintenance::shutdownNow);
        int retentionDays = a.rawRetentionDays();
        this.audit = new dev.kurz.audit.AuditLog(new dev.kurz.storage.jdbc.JdbcAuditStore(db), clock, IpStorage.parse(a.storeIp())::keep);
        this.idempotency = new dev.kurz.idempotency.Idempotency(new dev.kurz.storage.jdbc.JdbcIdempotencyStore(db), clock);
        this.orphans = new dev.kurz.analytics.OrphanVisits(new dev.kurz.storage.jdbc.JdbcOrphanStore(db), new UserAgents(1_000), clock);
        StartTrace.mark("audit, idempotency, orphans");
        maintenance.scheduleWithFixedDelay(() -> retention(clock, retentionDays), 0, 1, TimeUnit.HOURS);
        // Domains also come from the database every 10 s: a change missed on the channel (Redis away, no Redis) still arrives.
        maintenance.scheduleWithFixedDelay(() -> {
            try {
                domains.reload();
            } catch (RuntimeException e) {
                log.warn("domain reload failed: {}", e.toString());
            }
        }, 10, 10, TimeUnit.SECONDS);
        long orphanFlush = config.clicks().flushInterval().toMillis();
        maintenance.scheduleWithFixedDelay(this::flushOrphans, orphanFlush, orphanFlush, TimeUnit.MILLISECONDS);
        dev.kurz.config.Integrations integrations = config.integrations();
        long clickEvery = integrations.clickInterval().toMillis();
        maintenance.scheduleWithFixedDelay(() -> {
            try {
                webhooks.flushClicks(integrations.clickInterval());
            } catch (RuntimeException e) {
                log.warn("link.clicked events not written: {}", e.toString());
            }
        }, clickEvery, clickEvery, TimeUnit.MILLISECONDS);
        maintenance.scheduleWithFixedDelay(() -> {
            try {
                webhooks.refreshSubscriptions();
            } catch (RuntimeException e) {
                log.debug("webhook subscriptions not read: {}", e.toString());
            }
        }, 0, 2, TimeUnit.SECONDS);
        var sender = new dev.kurz.webhook.HttpSender(vertx, integrations.allowPrivate(), blocking);
        dev.kurz.audit.AuditLog auditLog = audit;
        this.dispatcher = new dev.kurz.webhook.Dispatcher(webhookStore, sender, integrations, clock, NODE, w -> auditLog.record(
                new dev.kurz.audit.Actor(null, "kurz", null, null), "webhook.disabled", "webhook:" + w.id(),
                new JsonObject().put("enabled", new JsonObject().put("before", true).put("after", false)))).start();
        StartTrace.mark("webhooks");
        opened.add(dispatcher);
        webhooks.onPublished(dispatcher::wake);

        this.health = new Health().probe("database", () -> CompletableFuture.runAsync(store::ping, blocking));
        // Optional: Redis is shared by every node, and each serves without it (ADR 0016).
        if (redis != null) health.optionalProbe("redis", redis::ping);

        dev.kurz.webhook.Webhooks hooks = webhooks;
        this.alerts = new Alerts(new JdbcAlertStore(db), links, clock, (slug, frame) -> {
            hub.onAlert(slug, frame);
            blocking.execute(() -> {
                try {
                    hooks.alertFired(slug, frame);
                } catch (RuntimeException e) {
                    log.warn("alert.fired event not written: {}", e.toString());
                }
            });
        }).start();
        StartTrace.mark("health + alerts");
        opened.add(alerts);
        // A link that turns broken: a webhook event, a frame on the live feed, its link_broken alert rules.
        this.linkChecks = new dev.kurz.linkcheck.LinkChecks(new dev.kurz.storage.jdbc.JdbcLinkCheckStore(db),
                new dev.kurz.linkcheck.Prober(integrations.linkCheckTimeout(), config.server().base(), abuseConfig.allowPrivate(), clock),
                clock, integrations.linkCheckInterval(), integrations.linkCheckTimeout(), integrations.linkCheckConcurrency(), NODE, broken -> {
                    // broken.slug() is the link's key; the event names slug and domain apart, as the link JSON does.
                    JsonObject data = new JsonObject().put("slug", dev.kurz.link.LinkKeys.slug(broken.slug()))
                            .put("domain", dev.kurz.link.LinkKeys.domain(broken.slug())).put("url", broken.url()).put("health", broken.health().toJson());
                    try {
                        webhooks.linkBroken(broken.slug(), data, broken.checkId());
                    } catch (RuntimeException e) {
                        log.warn("link.broken event not written for {}: {}", broken.slug(), e.toString());
                    }
                    hub.onLink("broken", broken.slug(), data);
                    alerts.onLinkBroken(broken.slug(), broken.health().error());
                });
        StartTrace.mark("link checks");
        opened.add(linkChecks);
        hub.onSummaries(alerts::onSummaries, alerts::countsClicks);
        var limits = new dev.kurz.ratelimit.RateLimits(config.rateLimits(), clock, redis == null ? null : new dev.kurz.ratelimit.SharedBuckets(
                new dev.kurz.storage.redis.RedisBuckets(redis.api(), dev.kurz.ratelimit.Clocks.meter(clock)), config.rateLimits().redisTimeout(), Duration.ofSeconds(2)));
        Metrics metrics = this.metrics = new Metrics()
                .counter("kurz_ratelimit_refused_total", "Requests this node refused with 429 because of a rate limit.", limits::refusedTotal)
                .counter("kurz_clicks_accepted_total", "Clicks (redirects) this node accepted for counting.", clicks::accepted)
                .counter("kurz_clicks_dropped_total", "Clicks this node dropped because its click buffer was full.", clicks::dropped)
                .counter("kurz_head_requests_total", "HEAD requests to links this node answered; they are not clicks.", batcher::heads)
                .gauge("kurz_redirect_cache_links", "Slugs in this node's redirect cache, unknown ones included.", cache::size)
                .counter("kurz_redirect_cache_loads_total", "Redirect cache misses that started a load (shared cache or database); hit ratio = 1 - loads / redirects.",
                        cache::loads)
                .counter("kurz_redirect_cache_reads_total", "Store reads (statements) behind those loads; cold slugs that miss together share one.",
                        cache::storeReads)
                .gauge("kurz_live_connections", "Open live-feed connections (WebSocket and SSE).", hub::connections)
                .gauge("kurz_live_rooms", "Links that at least one live connection follows.", hub::rooms)
                .gauge("kurz_db_connections_active", "Database connections in use.", () -> db.poolState()[0])
                .gauge("kurz_db_connections_idle", "Database connections idle in the pool.", () -> db.poolState()[1])
                .gauge("kurz_db_connections_pending", "Threads waiting for a database connection.", () -> db.poolState()[2])
                .gauge("kurz_redis_circuit_open", "1 while this node leaves Redis alone after failures (circuit open), else 0.",
                        () -> redis != null && !redis.guard().usable() ? 1 : 0)
                .gauge("kurz_redis_invalidation_live", "1 while edits on other nodes reach this node's cache over Redis, else 0.",
                        () -> redis != null && redis.invalidationChannelLive() ? 1 : 0)
                .gauge("kurz_db_connections_max", "The most database connections the pools may open.", db::poolMax);
        opened.add(metrics);
        opened.add(dev.kurz.ops.LoopDelay.watch(((io.vertx.core.internal.VertxInternal) vertx).nettyEventLoopGroup(), metrics.registry()));
        KurzConfig.Observability o = config.observability();
        this.abuse = new dev.kurz.abuse.Abuse(store, links, listener, new dev.kurz.storage.jdbc.JdbcReportStore(db), clock,
                config.server().baseUrl().getHost());
        StartTrace.mark("limits + metrics");
        // Imports: the same rules (validation, abuse screening) as the API; a chunk's new slugs leave
        // this node's cache (other nodes' "unknown" entries expire within KURZ_CACHE_NEGATIVE_TTL).
        KurzConfig.Imports ic = config.imports();
        this.imports = new dev.kurz.transfer.ImportJobs(new dev.kurz.storage.jdbc.JdbcImportStore(db), linkRules, links::drawSlugs,
                stored -> stored.forEach(redirects::invalidate), clock,
                new dev.kurz.transfer.ImportJobs.Settings(ic.workers(), ic.queue(), ic.maxBytes(), ic.chunk(), ic.lease()),
                new dev.kurz.transfer.ImportJobs.Listener() {
                    @Override
                    public void progress(dev.kurz.transfer.ImportJob job) {
                        hub.onImport(dev.kurz.web.ImportFrames.of(job));
                    }

                    @Override
                    public void finished(dev.kurz.transfer.ImportJob job) {
                        hub.onImport(dev.kurz.web.ImportFrames.of(job));
                        try {
                            webhooks.importFinished(job.id(), new JsonObject().put("status", job.status().name().toLowerCase(java.util.Locale.ROOT))
                                    .put("format", job.format().name().toLowerCase(java.util.Locale.ROOT)).put("total", job.total())
                                    .put("imported", job.imported()).put("skipped", job.skipped()).put("failed", job.failed())
                                    .put("error", job.error()));
                        } catch (RuntimeException e) {
                            log.warn("import.finished event for {} not written: {}", job.id(), e.toString());
                        }
                        for (var l : importListeners) l.finished(job);
                    }
                }, !config.storage().postgres());
        StartTrace.mark("abuse + imports");
        opened.add(imports);
        WebServer.Features features = new WebServer.Features(links, keys, health, cache, new Redirector(store, blocking), clicks,
                stats, analytics, hub, alerts, metrics, abuse, audit, idempotency,
                new dev.kurz.web.SmartLinks(domains, agents, geo, visitors, limits.passwords), imports,
                webhooks, linkChecks);
        this.web = new WebServer(vertx, features, clock, blocking, config.server().base(), proxies, config.http(), limits,
                deadlines.dbTimeout(), o.redirectMetrics() ? new dev.kurz.ops.RedirectTimers(metrics.registry()) : dev.kurz.ops.RedirectTimers.OFF,
                telemetry, compatApis(config, links, analytics, audit, orphans, clock), orphans);
        StartTrace.mark("web routes");
        this.management = o.management() ? new dev.kurz.web.ManagementServer(vertx, metrics, health) : null;
        this.managementPort = management == null ? -1 : startManagement(management, o, opened);
        StartTrace.mark("management port");
        this.port = Ports.bound(web.start(config.server().host(), config.server().port(), cores), config.server());
        StartTrace.mark("web server bound");
        health.started();
        StartTrace.mark("ready");
        // Background work that no request waits for starts once the node serves: on one core its
        // first database rounds would otherwise share the start-up (bench/startup, ADR 0018). The
        // webhook dispatcher starts with its store above (it also delivers what the start-up queues).
        linkChecks.start();
        imports.start();
        // What the first click needs, loaded once the node is ready rather than before.
        Thread.ofVirtual().name("kurz-warm-up").start(dev.kurz.analytics.UserAgents::warm);
    }

    /** The other shorteners' APIs served on the same port (README, "Compatible APIs"). */
    private static List<dev.kurz.web.Edge.Module> compatApis(KurzConfig config, LinkService links, dev.kurz.analytics.StatsStore stats,
                                                           dev.kurz.audit.AuditLog audit, dev.kurz.analytics.OrphanVisits orphans,
                                                           InstantSource clock) {
        var shortener = new dev.kurz.compat.Shortener(links, stats, audit, orphans, clock, config.analytics().rawRetentionDays());
        List<dev.kurz.web.Edge.Module> apis = new java.util.ArrayList<>();
        apis.add(new dev.kurz.compat.shlink.ShlinkApi(shortener));
        apis.add(new dev.kurz.compat.bitly.BitlyApi(shortener));
        if (config.compat().yourlsApi()) apis.add(new dev.kurz.compat.yourls.YourlsApi(shortener));
        return apis;
    }

    /** Writes the orphan visits (GETs of unknown slugs) offered since the last run. */
    private void flushOrphans() {
        try {
            orphans.flush();
        } catch (RuntimeException e) {
            log.warn("orphan visits not written: {}", e.toString());
        }
    }

    /** Binds the management port; a port in use is a setting to change, said in one line. */
    private static int startManagement(dev.kurz.web.ManagementServer m, KurzConfig.Observability o, List<AutoCloseable> opened) {
        try {
            int bound = m.start(o.managementHost(), o.managementPort()).toCompletionStage().toCompletableFuture().join();
            opened.add(() -> m.stop().await(5, TimeUnit.SECONDS));
            return bound;
        } catch (java.util.concurrent.CompletionException e) {
            // NIO says BindException; the epoll transport an IOException saying "Address already in use".
            if (e.getCause() instanceof java.net.BindException
                    || e.getCause() instanceof java.io.IOException io && String.valueOf(io.getMessage()).contains("in use")) {
                throw new ConfigException("KURZ_MANAGEMENT_PORT=" + o.managementPort() + " cannot be bound on " + o.managementHost()
                        + " (in use?): choose another port, or off");
            }
            throw e;
        }
    }

    /**
     * Hourly: raw clicks past their retention go; on PostgreSQL, the next days' partitions are made
     * and finished days' dimension and visitor rows are folded into day blobs.
     */
    private void retention(InstantSource clock, int days) {
        try {
            LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
            analytics.ensurePartitions(today.minusDays(1), 4);
            long removed = analytics.purgeBefore(clock.instant().minus(Duration.ofDays(days)).toEpochMilli());
            if (removed > 0) log.info("retention: removed {} raw clicks / partitions older than {} days", removed, days);
        } catch (RuntimeException e) {
            log.warn("retention run failed: {}", e.toString());
        }
        try {
            // Days before today are over, bar late clicks (those stay rows until the next run).
            int folded = analytics.foldDays(LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).toEpochDay());
            if (folded > 0) log.info("rollups: folded {} link-days of dimension and visitor rows into day blobs", folded);
        } catch (RuntimeException e) {
            log.warn("folding click days failed: {}", e.toString());
        }
        try {
            int auditDays = config.audit().retentionDays();
            long removed = audit.purgeOlderThan(Duration.ofDays(auditDays));
            if (removed > 0) log.info("retention: removed {} audit events older than {} days", removed, auditDays);
        } catch (RuntimeException e) {
            log.warn("audit retention run failed: {}", e.toString());
        }
        try {
            long removed = orphans.purge(days);
            if (removed > 0) log.info("retention: removed {} raw orphan visits", removed);
        } catch (RuntimeException e) {
            log.warn("orphan visit retention failed: {}", e.toString());
        }
        try {
            long removed = webhookStore.purgeFinishedBefore(clock.instant().minus(Duration.ofDays(WEBHOOK_RETENTION_DAYS)));
            if (removed > 0) log.info("retention: removed {} webhook deliveries finished over {} days ago", removed, WEBHOOK_RETENTION_DAYS);
        } catch (RuntimeException e) {
            log.warn("webhook delivery retention failed: {}", e.toString());
        }
        try {
            long removed = idempotency.purgeExpired();
            if (removed > 0) log.info("retention: removed {} expired idempotency keys", removed);
        } catch (RuntimeException e) {
            log.warn("idempotency key expiry failed: {}", e.toString());
        }
    }

    /** Starts a node; fails (and releases what it opened) when the database or port cannot be had. */
    public static Kurz start(KurzConfig config, InstantSource clock) {
        return start(config, clock, k -> {});
    }

    /** Starts a node; {@code onFirstKey} gets the admin key made on a first start as soon as it exists. */
    public static Kurz start(KurzConfig config, InstantSource clock, java.util.function.Consumer<ApiKeys.Issued> onFirstKey) {
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            return new Kurz(config, clock, opened, onFirstKey);
        } catch (RuntimeException e) {
            for (int i = opened.size() - 1; i >= 0; i--) {
                try {
                    opened.get(i).close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    public int port() {
        return port;
    }

    /** The management port (/metrics, /health/*), or -1 when KURZ_MANAGEMENT_PORT is off. */
    public int managementPort() {
        return managementPort;
    }

    /** The admin key made on a first start with no keys, to show once. */
    public Optional<ApiKeys.Issued> firstKey() {
        return firstKey;
    }

    /** Blocked links and abuse reports; {@link dev.kurz.abuse.Abuse#limitReports} takes the per-IP rate limit. */
    public dev.kurz.abuse.Abuse abuse() {
        return abuse;
    }

    /** Also tell {@code listener} when an import finishes (done, failed or cancelled): the hook for an import.finished webhook. */
    public void onImportFinished(dev.kurz.transfer.ImportJobs.Listener listener) {
        importListeners.add(listener);
    }

    /** Webhook endpoints and events; {@link dev.kurz.webhook.Webhooks#importFinished} publishes an import's end. */
    public dev.kurz.webhook.Webhooks webhooks() {
        return webhooks;
    }

    /** "epoll" when the native Linux transport is in use, else "nio". */
    public String transport() {
        return vertx.isNativeTransportEnabled() ? "epoll" : "nio";
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        Duration grace = config.server().shutdownGrace();
        // Connections first: whoever sees readiness fail already gets Connection: close.
        web.closeConnectionsAfterEachAnswer();
        health.drain();
        ShutdownDrain.serveFor(config.server().shutdownDrain());
        log.info("shutting down: stop intake, finish requests, drain clicks");
        blocklists.close();
        keySweep.close();
        hub.close();
        await(web.stop(grace).toCompletionStage().toCompletableFuture(), grace.plusSeconds(1), "HTTP servers");
        if (management != null) await(management.stop().toCompletionStage().toCompletableFuture(), grace, "management server");
        batcher.close(grace);
        analytics.close();
        maintenance.shutdownNow();
        flushOrphans(); // the 404s since the last scheduled flush
        dispatcher.close();
        linkChecks.close();
        alerts.close();
        imports.close();
        if (sharedSalts != null) sharedSalts.close();
        if (redis != null) redis.close();
        await(vertx.close().toCompletionStage().toCompletableFuture(), grace, "Vert.x");
        blocking.shutdown();
        try {
            if (!blocking.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) log.warn("blocking tasks still running at exit");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        db.close();
        geo.close();
        if (dataDirLock != null) dataDirLock.close();
        metrics.close();
        telemetry.close();
        log.info("stopped");
    }

    private static void await(CompletableFuture<?> f, Duration limit, String what) {
        try {
            f.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.warn("{} did not stop cleanly within {}: {}", what, limit, e.toString());
        }
    }
}
