package dev.kurz.storage.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.kurz.config.KurzConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * Connection pools and migrations for the configured engine. SQLite gets one writer connection
 * (SQLite allows a single writer; queueing in the pool beats SQLITE_BUSY retries) and a few
 * readers, in WAL mode so readers never wait for the writer.
 */
public final class Database implements AutoCloseable {
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
        return s.postgres()
                ? postgres(s.jdbcUrl(), s.user(), s.password(), s.poolSize())
                : sqlite(config.server().dataDir().resolve("kurz.db"));
    }

    public static Database sqlite(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data folder " + file.getParent(), e);
        }
        String url = "jdbc:sqlite:" + file.toAbsolutePath();
        HikariDataSource writer = pool(url, null, null, 1, "kurz-sqlite-writer");
        HikariDataSource reader = pool(url, null, null, 4, "kurz-sqlite-reader");
        return migrated(new Database(Dialect.SQLITE, writer, reader));
    }

    public static Database postgres(String jdbcUrl, String user, String password, int poolSize) {
        HikariDataSource ds = pool(jdbcUrl, user, password, poolSize, "kurz-postgres");
        return migrated(new Database(Dialect.POSTGRES, ds, ds));
    }

    private static HikariDataSource pool(String url, String user, String password, int size, String name) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(url);
        if (user != null) c.setUsername(user);
        if (password != null) c.setPassword(password);
        c.setMaximumPoolSize(size);
        c.setMinimumIdle(Math.min(size, 2));
        c.setPoolName(name);
        c.setConnectionTimeout(10_000);
        c.setInitializationFailTimeout(15_000);
        if (url.startsWith("jdbc:postgresql:")) {
            // Batched INSERTs become multi-row INSERTs: an order of magnitude fewer round trips for clicks.
            c.addDataSourceProperty("reWriteBatchedInserts", "true");
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

    private static Database migrated(Database db) {
        var flyway = Flyway.configure()
                .dataSource(db.writer)
                .locations("classpath:" + db.dialect.migrations);
        if (db.dialect == Dialect.SQLITE) flyway.javaMigrations(new V4__PackRawClicks());
        flyway.load()
                .migrate();
        return db;
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
