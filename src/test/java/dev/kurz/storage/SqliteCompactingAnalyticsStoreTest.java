package dev.kurz.storage;

import dev.kurz.storage.jdbc.Database;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;

/** The contract again with the SQLite click log folded into the tables on every write. */
class SqliteCompactingAnalyticsStoreTest extends AnalyticsStoreContract {
    @TempDir
    Path dir;

    @Override
    Database open() {
        return Database.sqlite(dir.resolve("kurz.db"));
    }

    @Override
    Duration compactEvery() {
        return Duration.ZERO;
    }
}
