package dev.kurz.storage;

import dev.kurz.storage.jdbc.Database;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteOrphanStoreTest extends OrphanStoreContract {
    @TempDir
    Path dir;

    @Override
    Database open() {
        return Database.sqlite(dir.resolve("kurz.db"));
    }
}
