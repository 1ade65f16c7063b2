package dev.kurz.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A PostgreSQL server of a test's own (not the shared one of {@link TestServers}), which the test
 * can freeze with SIGSTOP, as a hung or overloaded server would be: connections stay open, nothing
 * answers, new connections are accepted by the kernel and then hear nothing. Freezing stops the
 * postmaster and every backend it forked.
 */
public final class FreezablePostgres implements AutoCloseable {
    private final EmbeddedPostgres server;
    private final long postmaster;
    private final List<Long> frozen = new ArrayList<>();

    public FreezablePostgres() {
        try {
            Path data = Files.createTempDirectory("kurz-pg-freeze");
            server = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(true).start();
            postmaster = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).strip());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
        }
    }

    /** The {@code postgres} database as a {@code postgresql://} URL for {@code KURZ_DATABASE_URL}. */
    public String url() {
        return "postgresql://postgres:postgres@localhost:" + server.getPort() + "/postgres";
    }

    /** A connection of the test's own, e.g. to terminate Kurz's connections or hold a lock. */
    public Connection admin() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + server.getPort() + "/postgres", "postgres", "postgres");
    }

    public synchronized void freeze() {
        frozen.clear();
        frozen.add(postmaster); // first, so it forks no new backend meanwhile
        ProcessHandle.of(postmaster).ifPresent(p -> p.descendants().forEach(d -> frozen.add(d.pid())));
        for (long pid : frozen) signal("-STOP", pid);
    }

    public synchronized void thaw() {
        for (long pid : frozen) signal("-CONT", pid);
        frozen.clear();
    }

    private static void signal(String sig, long pid) {
        Signals.send(sig, pid);
    }

    @Override
    public void close() {
        thaw();
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
