package dev.kurz.web;

import java.sql.SQLException;

/**
 * Which failures mean "a dependency is away" (503, try again) rather than a bug (500): the pool
 * had no connection in time, a connection broke or was terminated, a statement was cancelled by
 * its timeout, the server is shutting down or out of resources, or Kurz's own deadline passed.
 * Walks the causes, since the storage adapters wrap what the driver threw.
 */
final class Outages {
    private Outages() {}

    static boolean databaseUnavailable(Throwable err) {
        for (Throwable t = err; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLTransientConnectionException || t instanceof java.sql.SQLTimeoutException
                    || t instanceof java.sql.SQLRecoverableException || t instanceof java.sql.SQLNonTransientConnectionException
                    || t instanceof java.util.concurrent.TimeoutException || t instanceof java.net.SocketTimeoutException) {
                return true;
            }
            if (t instanceof SQLException s && unavailableState(s)) return true;
            if (t.getCause() == t) break;
        }
        return false;
    }

    /** SQLSTATE classes 08 (connection), 53 (resources), 57P (shutdown, terminated), 57014 (statement timeout); SQLite busy. */
    private static boolean unavailableState(SQLException s) {
        String state = s.getSQLState();
        if (state != null && (state.startsWith("08") || state.startsWith("53") || state.startsWith("57P") || state.equals("57014"))) return true;
        String m = s.getMessage();
        return m != null && m.startsWith("[SQLITE_BUSY]");
    }

    /** The innermost message, for a one-line log. */
    static String describe(Throwable err) {
        Throwable t = err;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
