package dev.kurz.storage.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * PostgreSQL: daily dimension counts and unique-visitor registers get a blob per link and day next
 * to the rows flushes write (ADR 0019), and every stored row is folded into them, so the first stats
 * question after the upgrade is already fast. Runs inside Flyway's transaction: all or nothing.
 */
final class V12__ClickDaysPostgres extends BaseJavaMigration {
    @Override
    public void migrate(Context context) throws SQLException {
        Connection c = context.getConnection();
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE click_dim_days (link_id BIGINT NOT NULL, day BIGINT NOT NULL, data BYTEA NOT NULL,"
                    + " PRIMARY KEY (link_id, day))");
            st.execute("CREATE TABLE click_uniques_days (link_id BIGINT NOT NULL, day BIGINT NOT NULL, registers BYTEA NOT NULL,"
                    + " PRIMARY KEY (link_id, day))");
        }
        DayFolds.foldAll(c);
    }
}
