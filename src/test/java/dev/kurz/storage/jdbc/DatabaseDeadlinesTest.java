package dev.kurz.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kurz.testing.TestServers;
import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The PostgreSQL deadlines Database sets, against a real server. */
class DatabaseDeadlinesTest {
    @Test
    void pooledStatements_areCancelledAtTheTimeout_maintenanceConnectionsAreNot_andGiveTheTimeoutBack() throws Exception {
        URI u = URI.create(TestServers.freshPostgresDatabase());
        String[] user = u.getUserInfo().split(":", 2);
        try (Database db = Database.postgres("jdbc:postgresql://" + u.getHost() + ":" + u.getPort() + u.getPath(), user[0], user[1], 1,
                Duration.ofSeconds(1))) {
            try (Connection c = db.writer().getConnection(); Statement s = c.createStatement()) {
                assertThatThrownBy(() -> s.execute("SELECT pg_sleep(1.5)")).isInstanceOf(SQLException.class)
                        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("57014")); // statement_timeout
            }
            try (Connection c = Database.unbounded(db.writer(), db.dialect()); Statement s = c.createStatement()) {
                s.execute("SELECT pg_sleep(1.5)"); // retention may run long
            }
            try (Connection c = db.writer().getConnection(); Statement s = c.createStatement()) { // the same, single connection
                assertThatThrownBy(() -> s.execute("SELECT pg_sleep(1.5)")).isInstanceOf(SQLException.class);
            }
        }
    }
}
