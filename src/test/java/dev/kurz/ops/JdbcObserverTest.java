package dev.kurz.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JdbcObserverTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "SELECT id, slug FROM links WHERE slug = ?|SELECT links",
            "  insert into links (slug, url) values (?, ?) RETURNING id|INSERT links",
            "UPDATE links SET clicks = clicks + 1 WHERE id = ?|UPDATE links",
            "DELETE FROM click_events WHERE at < ?|DELETE click_events",
            "select 1|SELECT",
            "PRAGMA wal_checkpoint|PRAGMA"})
    void spanName_isOperationAndTable(String sql, String name) {
        assertThat(JdbcObserver.spanName(sql)).isEqualTo(name);
    }
}
