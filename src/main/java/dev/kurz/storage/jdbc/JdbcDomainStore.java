package dev.kurz.storage.jdbc;

import dev.kurz.link.Domain;
import dev.kurz.link.DomainStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Branded domains in SQLite or PostgreSQL (table {@code domains}, V1 and V8). The default domain
 * is the row with host '' (id 1) and is never listed here.
 */
public final class JdbcDomainStore implements DomainStore {
    private static final String COLUMNS = "host, root_redirect, not_found_redirect, created_at";
    private final Dialect dialect;
    private final DataSource writer;
    private final DataSource reader;

    public JdbcDomainStore(Database db) {
        this.dialect = db.dialect();
        this.writer = db.writer();
        this.reader = db.reader();
    }

    @Override
    public boolean insert(Domain d) {
        // The table's id has no sequence (V1 made it for the default row): the next one is taken, and
        // taken again if another node took it first.
        for (int attempt = 0; ; attempt++) {
            try (Connection c = writer.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO domains (id, workspace_id, host, created_at, root_redirect, not_found_redirect)"
                            + " SELECT COALESCE(MAX(id), 0) + 1, 1, ?, ?, ?, ? FROM domains")) {
                ps.setString(1, d.host());
                ps.setLong(2, d.createdAt().toEpochMilli());
                ps.setString(3, d.rootRedirect());
                ps.setString(4, d.notFoundRedirect());
                ps.executeUpdate();
                return true;
            } catch (SQLException e) {
                if (!dialect.isUniqueViolation(e)) throw new StorageException("insert domain", e);
                if (find(d.host()).isPresent()) return false;
                if (attempt == 8) throw new StorageException("insert domain", e);
            }
        }
    }

    @Override
    public Optional<Domain> find(String host) {
        List<Domain> found = query("SELECT " + COLUMNS + " FROM domains WHERE host = ? AND host <> ''", host);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    @Override
    public List<Domain> list() {
        return query("SELECT " + COLUMNS + " FROM domains WHERE host <> '' ORDER BY host", null);
    }

    @Override
    public boolean update(Domain d) {
        return write("UPDATE domains SET root_redirect = ?, not_found_redirect = ? WHERE host = ? AND host <> ''",
                d.rootRedirect(), d.notFoundRedirect(), d.host()) > 0;
    }

    @Override
    public long links(String host) {
        try (Connection c = reader.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT COUNT(*) FROM links WHERE domain_id = (SELECT id FROM domains WHERE host = ?)")) {
            ps.setString(1, host);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new StorageException("count domain links", e);
        }
    }

    @Override
    public boolean delete(String host) {
        return write("DELETE FROM domains WHERE host = ? AND host <> ''", host) > 0;
    }

    private int write(String sql, String... args) {
        try (Connection c = writer.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) ps.setString(i + 1, args[i]);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new StorageException("write domain", e);
        }
    }

    private List<Domain> query(String sql, String arg) {
        try (Connection c = reader.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            if (arg != null) ps.setString(1, arg);
            List<Domain> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Domain(rs.getString(1), rs.getString(2), rs.getString(3), Instant.ofEpochMilli(rs.getLong(4))));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StorageException("read domains", e);
        }
    }
}
