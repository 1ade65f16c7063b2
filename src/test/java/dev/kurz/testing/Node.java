package dev.kurz.testing;

import dev.kurz.app.Kurz;
import dev.kurz.config.Env;
import dev.kurz.config.KurzConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A real Kurz node in this JVM on a free port, for end-to-end tests over HTTP. */
public final class Node implements AutoCloseable {
    public static final String ADMIN_KEY = "kurz_e2e_Qm7vT2xK9pLw4RzN8sYd";
    public static final String BASE_URL = "http://kurz.test";

    public final Kurz kurz;
    public final Api api;
    public final Path dataDir;

    private Node(Kurz kurz, Path dataDir) {
        this.kurz = kurz;
        this.dataDir = dataDir;
        this.api = new Api("http://127.0.0.1:" + kurz.port(), ADMIN_KEY);
    }

    /** An embedded (SQLite) node with its own data folder. */
    public static Node sqlite(InstantSource clock) {
        try {
            return sqlite(Files.createTempDirectory("kurz-e2e"), clock);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Node sqlite(Path dataDir, InstantSource clock) {
        return sqlite(dataDir, clock, Map.of());
    }

    /** An embedded node with extra settings, e.g. {@code KURZ_TRUSTED_PROXIES}. */
    public static Node sqlite(Path dataDir, InstantSource clock, Map<String, String> settings) {
        Map<String, String> env = new HashMap<>(settings);
        env.put("KURZ_DATA_DIR", dataDir.toString());
        return start(env, clock, dataDir);
    }

    /** A node of a cluster: PostgreSQL at {@code databaseUrl}, Redis at {@code redisUrl} (null: none). */
    public static Node clustered(String databaseUrl, String redisUrl, InstantSource clock) {
        return clustered(databaseUrl, redisUrl, clock, Map.of());
    }

    /** A node of a cluster with extra settings, e.g. {@code KURZ_RATELIMIT_API}. */
    public static Node clustered(String databaseUrl, String redisUrl, InstantSource clock, Map<String, String> settings) {
        Map<String, String> env = new HashMap<>(settings);
        env.put("KURZ_DATABASE_URL", databaseUrl);
        if (redisUrl != null) env.put("KURZ_REDIS_URL", redisUrl);
        return start(env, clock, null);
    }

    private static Node start(Map<String, String> extra, InstantSource clock, Path dataDir) {
        Map<String, String> env = new HashMap<>(extra);
        env.putIfAbsent("KURZ_CLICK_FLUSH_INTERVAL", "100ms");
        // Tests send many requests from one address and key; the rate-limit tests set the limits they test.
        for (String limit : List.of("API", "API_IP", "AUTH_FAILURES", "REDIRECT", "LIVE", "REPORTS")) {
            env.putIfAbsent("KURZ_RATELIMIT_" + limit, "off");
        }
        env.putIfAbsent("KURZ_MANAGEMENT_PORT", "off"); // tests that want it pick a free port
        env.put("KURZ_PORT", "0");
        env.put("KURZ_HOST", "127.0.0.1");
        env.put("KURZ_BASE_URL", BASE_URL);
        env.put("KURZ_API_KEY", ADMIN_KEY);
        env.put("KURZ_SHUTDOWN_GRACE", "5s");
        env.putIfAbsent("KURZ_SHUTDOWN_DRAIN", "0s"); // the drain test sets its own
        return new Node(Kurz.start(KurzConfig.from(new Env(env)), clock), dataDir);
    }

    @Override
    public void close() {
        kurz.close();
    }
}
