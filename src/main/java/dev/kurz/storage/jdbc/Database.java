package dev.kurz.storage.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.kurz.config.KurzConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * Connection pools and migrations for the configured engine. SQLite gets one writer connection
 * (SQLite allows a single writer; queueing in the pool beats SQLITE_BUSY retries) and a few
 * readers, in WAL mode so readers never wait for the writer.
 *
 * <p>Every call has a deadline (ADR 0016), from {@code KURZ_DB_TIMEOUT}: waiting for a pooled
 * connection, and on PostgreSQL connecting, each statement (server-side {@code statement_timeout},
 * so a lock wait ends too) and each socket read (a frozen server answers nothing, not even a
 * cancel). Settings in the database URL's query win over these. Migrations run on a connection of
 * their own without them: an index build may rightly take minutes.
 */
public final class Database implements AutoCloseable {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    private final Dialect dialect;
    private final HikariDataSource writer;
    private final HikariDataSource reader;
    private DataSource writerView;
    private DataSource readerView;

    private Database(Dialect dialect, HikariDataSource writer, HikariDataSource reader) {
        this.dialect = dialect;
        this.writer = writer;
        this.reader = reader;
        this.writerView = writer;
        this.readerView = reader;
    }

    /**
     * Wraps the pools as the stores see them (statement spans, statement logs); call before any
     * store is made, since stores keep the data sources they were given.
     */
    public void instrument(java.util.function.UnaryOperator<DataSource> wrap) {
        this.writerView = wrap.apply(writer);
        this.readerView = reader == writer ? writerView : wrap.apply(reader);
    }

    public static Database open(KurzConfig config) {
        KurzConfig.Storage s = config.storage();
        Duration timeout = config.resilience().dbTimeout();
        return s.postgres()
                ? postgres(s.jdbcUrl(), s.user(), s.password(), s.poolSize(), timeout)
                : sqlite(config.server().dataDir().resolve("kurz.db"), timeout);
    }

    public static Database sqlite(Path file) {
        return sqlite(file, DEFAULT_TIMEOUT);
    }

    public static Database sqlite(Path file, Duration timeout) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data folder " + file.getParent(), e);
        }
        String url = "jdbc:sqlite:" + file.toAbsolutePath();
        HikariDataSource writer = pool(url, null, null, 1, "kurz-sqlite-writer", timeout);
        HikariDataSource reader = pool(url, null, null, 4, "kurz-sqlite-reader", timeout);
        return migrated(new Database(Dialect.SQLITE, writer, reader), f -> f.dataSource(writer));
    }

    public static Database postgres(String jdbcUrl, String user, String password, int poolSize) {
        return postgres(jdbcUrl, user, password, poolSize, DEFAULT_TIMEOUT);
    }

    public static Database postgres(String jdbcUrl, String user, String password, int poolSize, Duration timeout) {
        HikariDataSource ds = pool(jdbcUrl, user, password, poolSize, "kurz-postgres", timeout);
        try {
            return migrated(new Database(Dialect.POSTGRES, ds, ds), f -> f.dataSource(jdbcUrl, user, password));
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
    }

    private static HikariDataSource pool(String url, String user, String password, int size, String name, Duration timeout) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(url);
        if (user != null) c.setUsername(user);
        if (password != null) c.setPassword(password);
        c.setMaximumPoolSize(size);
        c.setMinimumIdle(Math.min(size, 2));
        c.setPoolName(name);
        long millis = timeout.toMillis();
        c.setConnectionTimeout(millis);
        c.setValidationTimeout(Math.max(250, Math.min(1000, millis / 2)));
        c.setInitializationFailTimeout(15_000);
        if (url.startsWith("jdbc:postgresql:")) {
            // Batched INSERTs become multi-row INSERTs: an order of magnitude fewer round trips for clicks.
            c.addDataSourceProperty("reWriteBatchedInserts", "true");
            long seconds = (millis + 999) / 1000;
            c.addDataSourceProperty("connectTimeout", Long.toString(seconds));
            c.addDataSourceProperty("loginTimeout", Long.toString(seconds));
            // Past the statement timeout, so a live server cancels first and says so; only a silent one hits this.
            c.addDataSourceProperty("socketTimeout", Long.toString(seconds + 2));
            c.addDataSourceProperty("options", "-c statement_timeout=" + millis);
            c.addDataSourceProperty("tcpKeepAlive", "true");
        }
        if (url.startsWith("jdbc:sqlite:")) {
            c.addDataSourceProperty("journal_mode", "WAL");
            // NORMAL in WAL mode: a crash of the process loses nothing committed; only an OS crash
            // or power cut can lose the last transactions.
            c.addDataSourceProperty("synchronous", "NORMAL");
            c.addDataSourceProperty("busy_timeout", "10000");
            c.addDataSourceProperty("foreign_keys", "true");
        }
        return new HikariDataSource(c);
    }

    private static Database migrated(Database db, java.util.function.Consumer<org.flywaydb.core.api.configuration.FluentConfiguration> source) {
        var flyway = Flyway.configure();
        source.accept(flyway);
        flyway.locations("classpath:" + db.dialect.migrations);
        if (db.dialect == Dialect.SQLITE) flyway.javaMigrations(new V4__PackRawClicks());
        if (db.dialect == Dialect.POSTGRES) flyway.javaMigrations(new V12__ClickDaysPostgres());
        flyway.load()
                .migrate();
        return db;
    }

    /**
     * A pooled connection for maintenance that may rightly run long (retention deletes over big
     * tables, partition upkeep): on PostgreSQL without the statement and socket timeouts, which it
     * gets back when closed. Request-time work never uses this.
     */
    static Connection unbounded(DataSource pool, Dialect dialect) throws SQLException {
        Connection c = pool.getConnection();
        if (dialect != Dialect.POSTGRES) return c;
        try {
            c.setNetworkTimeout(Runnable::run, 0);
            try (Statement s = c.createStatement()) {
                s.execute("SET statement_timeout = 0");
            }
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (proxy, method, args) -> {
            if (method.getName().equals("close") && method.getParameterCount() == 0) {
                try (Statement s = c.createStatement()) {
                    s.execute("RESET statement_timeout"); // back to the value the connection was opened with
                } catch (SQLException ignored) {
                    // a broken connection leaves the pool anyway
                } finally {
                    c.close(); // the pool restores the socket timeout
                }
                return null;
            }
            try {
                return method.invoke(c, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    public Dialect dialect() {
        return dialect;
    }

    /** Connections in use, idle and awaited, summed over the pools (for metrics). */
    public int[] poolState() {
        int active = 0, idle = 0, waiting = 0;
        for (HikariDataSource ds : reader == writer ? new HikariDataSource[] {writer} : new HikariDataSource[] {writer, reader}) {
            var mx = ds.getHikariPoolMXBean();
            if (mx == null) continue;
            active += mx.getActiveConnections();
            idle += mx.getIdleConnections();
            waiting += mx.getThreadsAwaitingConnection();
        }
        return new int[] {active, idle, waiting};
    }

    /** The most connections the pools may open, summed (for metrics: pending work when active reaches it). */
    public int poolMax() {
        return reader == writer ? writer.getMaximumPoolSize() : writer.getMaximumPoolSize() + reader.getMaximumPoolSize();
    }

    DataSource writer() {
        return writerView;
    }

    DataSource reader() {
        return readerView;
    }

    @Override
    public void close() {
        writer.close();
        if (reader != writer) reader.close();
    }
}
