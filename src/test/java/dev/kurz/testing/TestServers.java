package dev.kurz.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import redis.embedded.RedisServer;

/**
 * Real PostgreSQL and Redis for the tests: the servers named by {@code KURZ_TEST_DATABASE_URL} /
 * {@code KURZ_TEST_REDIS_URL} when set, otherwise ones this JVM starts itself (zonky's embedded
 * PostgreSQL binaries, embedded-redis), once, shared by every test and stopped at exit. A test
 * never skips for want of a server.
 */
public final class TestServers {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres postgres;
    private static String adminUrl;
    private static String redisUrl;
    private static RedisServer redis;

    private TestServers() {}

    /** A fresh, empty PostgreSQL database, as a {@code postgresql://user:pass@host:port/db} URL. */
    public static synchronized String freshPostgresDatabase() {
        String admin = postgresAdminUrl();
        String name = "kurz_test_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
        URI u = URI.create(admin.substring("jdbc:".length()));
        String user = System.getenv("KURZ_TEST_DATABASE_URL") != null ? userInfo(System.getenv("KURZ_TEST_DATABASE_URL")) : "postgres:postgres";
        try (Connection c = DriverManager.getConnection(admin, user.split(":")[0], user.contains(":") ? user.split(":", 2)[1] : null);
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        return "postgresql://" + user + "@" + u.getHost() + ":" + u.getPort() + "/" + name;
    }

    private static synchronized String postgresAdminUrl() {
        if (adminUrl != null) return adminUrl;
        String external = System.getenv("KURZ_TEST_DATABASE_URL");
        if (external != null && !external.isBlank()) {
            URI u = URI.create(external.replaceFirst("^jdbc:", ""));
            adminUrl = "jdbc:postgresql://" + u.getHost() + ":" + (u.getPort() > 0 ? u.getPort() : 5432) + u.getPath();
            return adminUrl;
        }
        try {
            postgres = EmbeddedPostgres.builder().start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                postgres.close();
            } catch (IOException ignored) {
                // exiting anyway
            }
        }));
        adminUrl = "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
        return adminUrl;
    }

    /** A Redis server, as a {@code redis://host:port} URL. */
    public static synchronized String redisUrl() {
        if (redisUrl != null) return redisUrl;
        String external = System.getenv("KURZ_TEST_REDIS_URL");
        if (external != null && !external.isBlank()) {
            redisUrl = external;
            return redisUrl;
        }
        int port = freePort();
        try {
            redis = RedisServer.newRedisServer().port(port).bind("127.0.0.1").setting("save \"\"").setting("appendonly no").build();
            redis.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded Redis", e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                redis.stop();
            } catch (IOException ignored) {
                // exiting anyway
            }
        }));
        redisUrl = "redis://127.0.0.1:" + port;
        return redisUrl;
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String userInfo(String url) {
        URI u = URI.create(url.replaceFirst("^jdbc:", ""));
        return u.getUserInfo() == null ? "postgres" : u.getUserInfo();
    }
}
