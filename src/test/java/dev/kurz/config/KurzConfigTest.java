package dev.kurz.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KurzConfigTest {
    @Test
    void defaults_embeddedOnPort8080() {
        KurzConfig c = KurzConfig.from(new Env(Map.of()));
        assertThat(c.clicks().compactInterval()).isEqualTo(java.time.Duration.ofSeconds(60));
        assertThat(c.server().port()).isEqualTo(8080);
        assertThat(c.server().host()).isEqualTo("0.0.0.0");
        assertThat(c.server().base()).isEqualTo("http://localhost:8080");
        assertThat(c.server().dataDir().toString()).isEqualTo("./data");
        assertThat(c.storage().postgres()).isFalse();
        assertThat(c.redis().enabled()).isFalse();
        assertThat(c.auth().bootstrapKey()).isNull();
    }

    @Test
    void yourlsApi_offByDefault_trueOrFalseOnly() {
        assertThat(KurzConfig.from(new Env(Map.of())).compat().yourlsApi()).isFalse();
        assertThat(KurzConfig.from(new Env(Map.of("KURZ_YOURLS_API", "TRUE"))).compat().yourlsApi()).isTrue();
        assertThatThrownBy(() -> KurzConfig.from(new Env(Map.of("KURZ_YOURLS_API", "yes"))))
                .hasMessage("KURZ_YOURLS_API=yes is invalid: expected true or false");
    }

    @Test
    void shutdownDrain_defaultsTo5s_andRefusesOver10m() {
        assertThat(KurzConfig.from(new Env(Map.of())).server().shutdownDrain()).isEqualTo(java.time.Duration.ofSeconds(5));
        assertThat(KurzConfig.from(new Env(Map.of("KURZ_SHUTDOWN_DRAIN", "0"))).server().shutdownDrain()).isZero();
        assertThatThrownBy(() -> KurzConfig.from(new Env(Map.of("KURZ_SHUTDOWN_DRAIN", "11m"))))
                .hasMessage("KURZ_SHUTDOWN_DRAIN=11m is invalid: expected a duration of at most 10m");
    }

    @Test
    void baseUrl_defaultsToThePort_andDropsTrailingSlash() {
        assertThat(KurzConfig.from(new Env(Map.of("KURZ_PORT", "9000"))).server().base()).isEqualTo("http://localhost:9000");
        assertThat(KurzConfig.from(new Env(Map.of("KURZ_BASE_URL", "https://s.example/"))).server().base()).isEqualTo("https://s.example");
    }

    @Test
    void databaseUrl_postgresFormsBecomeJdbc() {
        KurzConfig.Storage s = KurzConfig.from(new Env(Map.of("KURZ_DATABASE_URL", "postgresql://u:p%40ss@db:5433/kurz?sslmode=require"))).storage();
        assertThat(s.jdbcUrl()).isEqualTo("jdbc:postgresql://db:5433/kurz?sslmode=require");
        assertThat(s.user()).isEqualTo("u");
        assertThat(s.password()).isEqualTo("p@ss");
        assertThat(KurzConfig.from(new Env(Map.of("KURZ_DATABASE_URL", "jdbc:postgresql://h/db"))).storage().jdbcUrl())
                .isEqualTo("jdbc:postgresql://h/db");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            KURZ_PORT          | eighty                   | KURZ_PORT=eighty is invalid: expected a whole number from 0 to 65535
            KURZ_PORT          | 70000                    | KURZ_PORT=70000 is invalid: expected a whole number from 0 to 65535
            KURZ_BASE_URL      | ftp://x                  | KURZ_BASE_URL=ftp://x is invalid: expected an absolute http or https URL
            KURZ_DATABASE_URL  | mysql://u:secret@h/db    | KURZ_DATABASE_URL=mysql://u:***@h/db is invalid: expected postgresql://
            KURZ_REDIS_URL     | http://h:6379            | KURZ_REDIS_URL=http://h:6379 is invalid: expected redis://
            KURZ_CACHE_TTL     | soon                     | KURZ_CACHE_TTL=soon is invalid: expected a duration
            KURZ_API_KEY       | short                    | KURZ_API_KEY is too weak (5 characters, at least 24 are needed)
            KURZ_CLICK_COMPACT_INTERVAL | 2h              | KURZ_CLICK_COMPACT_INTERVAL=2h is invalid: expected a duration of at most 1h
            KURZ_CLICK_COMPACT_INTERVAL | later           | KURZ_CLICK_COMPACT_INTERVAL=later is invalid: expected a duration
            KURZ_DB_TIMEOUT    | 500ms                    | KURZ_DB_TIMEOUT=500ms is invalid: expected a duration from 1s to 60s
            KURZ_DB_TIMEOUT    | 2m                       | KURZ_DB_TIMEOUT=2m is invalid: expected a duration from 1s to 60s
            KURZ_REDIS_TIMEOUT | 5ms                      | KURZ_REDIS_TIMEOUT=5ms is invalid: expected a duration from 10ms to 5s
            KURZ_REDIS_RETRY_AFTER | never                | KURZ_REDIS_RETRY_AFTER=never is invalid: expected a duration
            """)
    void badValue_namesVariableValueAndExpectation(String name, String value, String message) {
        assertThatThrownBy(() -> KurzConfig.from(new Env(Map.of(name, value))))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(message);
    }

    @Test
    void durations_parse() {
        assertThat(Env.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Env.parseDuration("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Env.parseDuration("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Env.parseDuration("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(Env.parseDuration("7")).isEqualTo(Duration.ofSeconds(7));
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "abcdefghijklmnopqrstuvwxyz0123", "passwordpasswordpassword",
            "changeme-changeme-changeme", "0123456789012345678901234567", "qwertyuiopasdfghjklzxcvbnm", "adminpassword123456secret"})
    void weakAdminKey_refusedWithOneLine(String key) {
        assertThatThrownBy(() -> KurzConfig.from(new Env(Map.of("KURZ_API_KEY", key))))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("KURZ_API_KEY is too weak (")
                .hasMessageNotContaining(key)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void strongAdminKey_accepted() {
        assertThat(KurzConfig.from(new Env(Map.of("KURZ_API_KEY", "kurz_3xQv8LmN2pR7sT9wY4zB6cD1"))).auth().bootstrapKey())
                .isEqualTo("kurz_3xQv8LmN2pR7sT9wY4zB6cD1");
        assertThat(AdminKeys.weakness("Zt4q-Wm9v_Lp2x.Rk7n+Hs3c/Jd8")).isNull();
    }

    @Test
    void secretsFromFiles_readTrimmed_andConflictsRefused(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path key = java.nio.file.Files.writeString(dir.resolve("key"), "kurz_3xQv8LmN2pR7sT9wY4zB6cD1\n");
        java.nio.file.Path db = java.nio.file.Files.writeString(dir.resolve("db"), "postgresql://u:s3cret@db:5432/kurz\n");
        java.nio.file.Path redis = java.nio.file.Files.writeString(dir.resolve("redis"), "redis://:pw@cache:6379/0");
        KurzConfig c = KurzConfig.from(new Env(Map.of("KURZ_API_KEY_FILE", key.toString(), "KURZ_DATABASE_URL_FILE", db.toString(),
                "KURZ_REDIS_URL_FILE", redis.toString())));
        assertThat(c.auth().bootstrapKey()).isEqualTo("kurz_3xQv8LmN2pR7sT9wY4zB6cD1");
        assertThat(c.storage().password()).isEqualTo("s3cret");
        assertThat(c.redis().url()).isEqualTo("redis://:pw@cache:6379/0");
        assertThatThrownBy(() -> KurzConfig.from(new Env(Map.of("KURZ_API_KEY_FILE", dir.resolve("missing").toString()))))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("KURZ_API_KEY_FILE=");
        assertThatThrownBy(() -> KurzConfig.from(new Env(Map.of("KURZ_API_KEY_FILE", key.toString(), "KURZ_API_KEY", "kurz_3xQv8LmN2pR7sT9wY4zB6cD1"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("both set");
    }

    @Test
    void http_defaultsAndCorsOrigins() {
        KurzConfig.Http h = KurzConfig.from(new Env(Map.of())).http();
        assertThat(h.readTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(h.maxConnectionsPerIp()).isEqualTo(256);
        assertThat(h.corsOrigins()).isEmpty();
        assertThat(KurzConfig.from(new Env(Map.of("KURZ_CORS_ORIGINS", "https://App.example, http://localhost:3000"))).http().corsOrigins())
                .containsExactly("https://app.example", "http://localhost:3000");
        assertThatThrownBy(() -> KurzConfig.from(new Env(Map.of("KURZ_CORS_ORIGINS", "https://app.example/path"))))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("KURZ_CORS_ORIGINS=");
    }

    @Test
    void auditRetention_defaultsToAYear_andRejectsNonsense() {
        assertThat(KurzConfig.from(new Env(Map.of())).audit().retentionDays()).isEqualTo(365);
        assertThat(KurzConfig.from(new Env(Map.of("KURZ_AUDIT_RETENTION_DAYS", "30"))).audit().retentionDays()).isEqualTo(30);
        assertThatThrownBy(() -> KurzConfig.from(new Env(Map.of("KURZ_AUDIT_RETENTION_DAYS", "0"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("KURZ_AUDIT_RETENTION_DAYS=0 is invalid");
    }

    @Test
    void resilience_defaultsAndSettings() {
        KurzConfig.Resilience d = KurzConfig.from(new Env(Map.of())).resilience();
        assertThat(d).isEqualTo(new KurzConfig.Resilience(java.time.Duration.ofSeconds(5), java.time.Duration.ofMillis(200),
                java.time.Duration.ofSeconds(2)));
        KurzConfig.Resilience set = KurzConfig.from(new Env(Map.of("KURZ_DB_TIMEOUT", "2s", "KURZ_REDIS_TIMEOUT", "100ms",
                "KURZ_REDIS_RETRY_AFTER", "10s"))).resilience();
        assertThat(set).isEqualTo(new KurzConfig.Resilience(java.time.Duration.ofSeconds(2), java.time.Duration.ofMillis(100),
                java.time.Duration.ofSeconds(10)));
    }
}
