package dev.kurz.storage;

import dev.kurz.config.Env;
import dev.kurz.config.KurzConfig;
import dev.kurz.storage.jdbc.Database;
import dev.kurz.testing.TestServers;
import java.util.Map;

class PostgresOrphanStoreTest extends OrphanStoreContract {
    @Override
    Database open() {
        return Database.open(KurzConfig.from(new Env(Map.of("KURZ_DATABASE_URL", TestServers.freshPostgresDatabase()))));
    }
}
