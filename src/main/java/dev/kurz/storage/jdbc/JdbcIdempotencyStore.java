package dev.kurz.storage.jdbc;

import dev.kurz.idempotency.IdempotencyStore;
import dev.kurz.idempotency.Receipt;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Idempotency keys in SQLite or PostgreSQL ({@code idempotency_keys}, V7). The claim is one short
 * transaction on the writer; the answer is stored by {@link JdbcStore#insertAll} inside the
 * transaction that creates the links, through {@link #seal}.
 */
public final class JdbcIdempotencyStore implements IdempotencyStore {
    /** A statement that outlives this is a fault: the request gets its 503, not a hang. */
    private static final int TIMEOUT_SECONDS = 10;
    private final DataSource writer;

    public JdbcIdempotencyStore(Database db) {
        this.writer = db.writer();
    }

    @Override
    public Found claim(long owner, String key, String requestHash, String token, long now, long lockedUntil, long expiresAt) {
        try (Connection c = writer.getConnection()) {
            c.setAutoCommit(false);
            try {
                Found f = claim(c, owner, key, requestHash, token, now, lockedUntil, expiresAt);
                c.commit();
                return f;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StorageException("claim idempotency key", e);
        }
    }

    private static Found claim(Connection c, long owner, String key, String hash, String token, long now, long lockedUntil,
                               long expiresAt) throws SQLException {
        // An expired key is as good as none.
        update(c, "DELETE FROM idempotency_keys WHERE key_id = ? AND idem_key = ? AND expires_at <= ?", owner, key, now);
        int inserted = update(c, "INSERT INTO idempotency_keys (key_id, idem_key, request_hash, token, state, created_at, locked_until,"
                + " expires_at) VALUES (?, ?, ?, ?, 'running', ?, ?, ?) ON CONFLICT (key_id, idem_key) DO NOTHING",
                owner, key, hash, token, now, lockedUntil, expiresAt);
        if (inserted == 1) return Found.of(State.CLAIMED);
        try (PreparedStatement ps = c.prepareStatement("SELECT request_hash, state, status, body, location, locked_until, token"
                + " FROM idempotency_keys WHERE key_id = ? AND idem_key = ?")) {
            ps.setQueryTimeout(TIMEOUT_SECONDS);
            ps.setLong(1, owner);
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return Found.of(State.RUNNING); // deleted in between: the caller retries
                if (!rs.getString(1).equals(hash)) return Found.of(State.MISMATCH);
                if (rs.getString(2).equals("done")) return new Found(State.DONE, rs.getInt(3), rs.getString(4), rs.getString(5), 0);
                long heldUntil = rs.getLong(6);
                if (heldUntil > now) return new Found(State.RUNNING, 0, null, null, heldUntil);
                // The holder's lease ran out (its node died): take over, unless another retry just did.
                int taken = update(c, "UPDATE idempotency_keys SET token = ?, locked_until = ? WHERE key_id = ? AND idem_key = ?"
                        + " AND token = ? AND state = 'running'", token, lockedUntil, owner, key, rs.getString(7));
                return taken == 1 ? Found.of(State.CLAIMED) : new Found(State.RUNNING, 0, null, null, lockedUntil);
            }
        }
    }

    /**
     * Stores the answer in the caller's transaction; false when the attempt no longer holds the
     * claim, and then the caller must roll back.
     */
    static boolean seal(Connection c, Receipt r) throws SQLException {
        return update(c, "UPDATE idempotency_keys SET state = 'done', status = ?, body = ?, location = ? WHERE key_id = ?"
                + " AND idem_key = ? AND token = ? AND state = 'running'", r.status(), r.body(), r.location(), r.owner(), r.key(), r.token()) == 1;
    }

    @Override
    public void release(long owner, String key, String token) {
        try (Connection c = writer.getConnection()) {
            update(c, "DELETE FROM idempotency_keys WHERE key_id = ? AND idem_key = ? AND token = ? AND state = 'running'", owner, key, token);
        } catch (SQLException e) {
            throw new StorageException("release idempotency key", e);
        }
    }

    @Override
    public long purgeExpired(long now) {
        try (Connection c = writer.getConnection()) {
            return update(c, "DELETE FROM idempotency_keys WHERE expires_at <= ?", now);
        } catch (SQLException e) {
            throw new StorageException("purge idempotency keys", e);
        }
    }

    private static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setQueryTimeout(TIMEOUT_SECONDS);
            for (int i = 0; i < args.length; i++) {
                Object a = args[i];
                if (a instanceof Long l) ps.setLong(i + 1, l);
                else if (a instanceof Integer n) ps.setInt(i + 1, n);
                else ps.setString(i + 1, (String) a);
            }
            return ps.executeUpdate();
        }
    }
}
