package dev.kurz.storage.jdbc;

import java.sql.SQLException;

/** The few places where SQLite and PostgreSQL need different SQL or error handling. */
public enum Dialect {
    SQLITE("LIKE", "db/migration/sqlite", "max"),
    POSTGRES("ILIKE", "db/migration/postgres", "GREATEST");

    final String caseInsensitiveLike;
    final String migrations;
    /** The two-argument maximum: SQLite's scalar max(), PostgreSQL's GREATEST(). */
    final String greatest;

    Dialect(String caseInsensitiveLike, String migrations, String greatest) {
        this.caseInsensitiveLike = caseInsensitiveLike;
        this.migrations = migrations;
        this.greatest = greatest;
    }

    boolean isUniqueViolation(SQLException e) {
        return switch (this) {
            // SQLITE_CONSTRAINT_UNIQUE (2067) / SQLITE_CONSTRAINT_PRIMARYKEY (1555)
            case SQLITE -> e.getErrorCode() == 19 || e.getErrorCode() == 2067 || e.getErrorCode() == 1555
                    || String.valueOf(e.getMessage()).contains("UNIQUE constraint failed");
            case POSTGRES -> "23505".equals(e.getSQLState());
        };
    }
}
