package dev.kurz.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.config.Env;
import dev.kurz.config.KurzConfig;
import dev.kurz.storage.jdbc.Database;
import dev.kurz.testing.TestServers;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PostgresAnalyticsStoreTest extends AnalyticsStoreContract {
    @Override
    Database open() {
        return Database.open(KurzConfig.from(new Env(Map.of("KURZ_DATABASE_URL", TestServers.freshPostgresDatabase()))));
    }

    @Test
    void retention_dropsWholeDailyPartitions() {
        LocalDate day = LocalDate.parse("2026-11-20");
        store.ensurePartitions(day.minusDays(2), 4);
        store.ensurePartitions(day.minusDays(2), 4); // idempotent
        store.write(dev.kurz.analytics.TestAccess.aggregateOf(List.of(
                click(link, T0.minusSeconds(2 * 86_400), 1, false, "US", null, "Chrome"),
                click(link, T0, 2, false, "US", null, "Chrome"))));
        long removed = store.purgeBefore(T0.minusSeconds(86_400).toEpochMilli());
        assertThat(removed).isGreaterThanOrEqualTo(1);
        assertThat(store.events(link.id(), 0, Long.MAX_VALUE, null, null, 10)).hasSize(1);
    }
}
