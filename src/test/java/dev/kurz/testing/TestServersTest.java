package dev.kurz.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.config.Env;
import dev.kurz.config.KurzConfig;
import dev.kurz.storage.jdbc.Database;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TestServersTest {
    @Test
    void postgres_startsAndMigrates() {
        String url = TestServers.freshPostgresDatabase();
        KurzConfig c = KurzConfig.from(new Env(Map.of("KURZ_DATABASE_URL", url)));
        try (Database db = Database.open(c)) {
            assertThat(db.dialect().name()).isEqualTo("POSTGRES");
        }
    }

    @Test
    void redis_starts() {
        assertThat(TestServers.redisUrl()).startsWith("redis://");
    }
}
