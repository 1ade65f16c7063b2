package dev.kurz.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.testing.Node;
import dev.kurz.testing.TestServers;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Imports on PostgreSQL: the same SQL as SQLite, and two nodes sharing the queue. */
class PostgresImportEndToEndTest {

    private static List<JsonObject> exported(Node n) {
        return ImportEndToEndTest.comparable(new io.vertx.core.json.JsonArray(n.api.get("/api/v1/links/export?format=json").body())
                .stream().map(JsonObject.class::cast).toList());
    }

    @Test
    void twoNodes_eachJobRunsOnce_andExportRoundTrips() {
        String db = TestServers.freshPostgresDatabase();
        Node a = Node.clustered(db, null, Clock.systemUTC(), Map.of("KURZ_IMPORT_CHUNK", "200"));
        Node b = Node.clustered(db, null, Clock.systemUTC(), Map.of("KURZ_IMPORT_CHUNK", "200"));
        try {
            // Generated slugs: a job run twice would leave more links than rows.
            StringBuilder csv = new StringBuilder("url,tags,clicks\n");
            for (int i = 0; i < 5000; i++) csv.append("https://example.com/pg/").append(i).append(",\"pg,n").append(i % 7).append("\",").append(i).append('\n');
            String first = ImportEndToEndTest.submit(a.api, "format=csv", csv.toString()).getString("id");
            String second = ImportEndToEndTest.submit(b.api, "format=csv", csv.toString().replace("/pg/", "/pg2/")).getString("id");
            JsonObject one = ImportEndToEndTest.await(b.api, first);
            JsonObject two = ImportEndToEndTest.await(a.api, second);
            assertThat(one.getLong("imported")).as(one.encode()).isEqualTo(5000);
            assertThat(two.getLong("imported")).as(two.encode()).isEqualTo(5000);
            String export = a.api.get("/api/v1/links/export?format=csv").body();
            assertThat(export.lines().count() - 1).isEqualTo(10_000);

            JsonObject bitly = ImportEndToEndTest.importFile(a.api, "format=bitly", ImportEndToEndTest.resource("bitly.csv"));
            assertThat(bitly.getLong("imported")).isEqualTo(3);
            assertThat(a.api.get("/api/v1/links/spring-sale").json().getLong("clicks")).isEqualTo(1532);
            JsonObject conflict = ImportEndToEndTest.importFile(b.api, "format=bitly&onConflict=fail", ImportEndToEndTest.resource("bitly.csv"));
            assertThat(conflict.getLong("failed")).isEqualTo(4);

            String json = a.api.get("/api/v1/links/export?format=json").body();
            Node c = Node.clustered(TestServers.freshPostgresDatabase(), null, Clock.systemUTC());
            try {
                JsonObject back = ImportEndToEndTest.importFile(c.api, "format=kurz", json);
                assertThat(back.getLong("imported")).as(back.encode()).isEqualTo(10_003);
                List<JsonObject> original = exported(a);
                List<JsonObject> copy = exported(c);
                assertThat(copy).hasSize(10_003);
                for (int i = 0; i < copy.size(); i++) assertThat(copy.get(i)).isEqualTo(original.get(i));
            } finally {
                c.close();
            }
        } finally {
            a.close();
            b.close();
        }
    }
}
