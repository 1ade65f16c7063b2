package dev.kurz.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.audit.Actor;
import dev.kurz.audit.AuditEvent;
import dev.kurz.audit.AuditLog;
import dev.kurz.auth.ApiKey;
import dev.kurz.auth.Scope;
import dev.kurz.link.Link;
import dev.kurz.link.LinkService;
import dev.kurz.storage.jdbc.Database;
import dev.kurz.storage.jdbc.JdbcAuditStore;
import dev.kurz.testing.MutableClock;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The audit trail from both storage engines, against real databases. */
abstract class AuditStoreContract {
    static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
    static final Actor ALICE = new Actor(7L, "alice", "203.0.113.9", "req-1");
    final MutableClock clock = new MutableClock(T0);
    Database db;
    AuditLog audit;

    abstract Database open();

    @BeforeEach
    void setUp() {
        db = open();
        audit = new AuditLog(new JdbcAuditStore(db), clock, ip -> ip);
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    static Link link(String slug, String url, String title) {
        return new Link(1, slug, url, title, List.of("a"), null, null, 302, true, T0, T0, 0, 7L);
    }

    @Test
    void record_thenList_roundTripsEveryField() {
        audit.linkCreated(ALICE, link("abc", "https://e.com", "T"));
        AuditEvent e = audit.list(10, null, null, null).items().get(0);
        assertThat(e.at()).isEqualTo(T0);
        assertThat(e.keyId()).isEqualTo(7L);
        assertThat(e.keyName()).isEqualTo("alice");
        assertThat(e.ip()).isEqualTo("203.0.113.9");
        assertThat(e.requestId()).isEqualTo("req-1");
        assertThat(e.action()).isEqualTo("link.created");
        assertThat(e.target()).isEqualTo("link:abc");
        assertThat(e.changes().getJsonObject("url").getString("after")).isEqualTo("https://e.com");
        assertThat(e.changes().getJsonObject("url").containsKey("before")).isFalse();
    }

    @Test
    void linkUpdated_recordsOnlyTheChangedFieldsWithBeforeAndAfter() {
        audit.linkUpdated(ALICE, new LinkService.Change(link("abc", "https://e.com/1", "T"), link("abc", "https://e.com/2", "T")));
        JsonObject changes = audit.list(10, null, null, null).items().get(0).changes();
        assertThat(changes.fieldNames()).containsExactly("url");
        assertThat(changes.getJsonObject("url")).isEqualTo(new JsonObject().put("before", "https://e.com/1").put("after", "https://e.com/2"));
    }

    @Test
    void linkUpdated_withNothingChanged_recordsNothing() {
        audit.linkUpdated(ALICE, new LinkService.Change(link("abc", "https://e.com", "T"), link("abc", "https://e.com", "T")));
        assertThat(audit.list(10, null, null, null).items()).isEmpty();
    }

    @Test
    void keyCreated_neverHoldsMoreThanThePrefix_andNullsStayNull() {
        ApiKey key = new ApiKey(3, "ci", "kurz_abcdefg", EnumSet.of(Scope.LINKS_READ), T0, null);
        audit.keyCreated(Actor.commandLine(), key);
        AuditEvent e = audit.list(10, null, null, null).items().get(0);
        assertThat(e.keyId()).isNull();
        assertThat(e.ip()).isNull();
        assertThat(e.requestId()).isNull();
        assertThat(e.keyName()).startsWith("cli");
        assertThat(e.target()).isEqualTo("key:3");
        assertThat(e.changes().getJsonObject("scopes").getJsonArray("after").getList()).containsExactly("links:read");
    }

    @Test
    void list_pagesNewestFirst_andFiltersByActionAndTarget() {
        List<Link> batch = new ArrayList<>();
        for (int i = 0; i < 5; i++) batch.add(link("s" + i, "https://e.com/" + i, null));
        audit.linksCreated(ALICE, batch);
        audit.linkDeleted(ALICE, batch.get(2));

        AuditLog.Page first = audit.list(4, null, null, null);
        assertThat(first.items()).extracting(AuditEvent::target).containsExactly("link:s2", "link:s4", "link:s3", "link:s2");
        assertThat(first.items().get(0).action()).isEqualTo("link.deleted");
        AuditLog.Page second = audit.list(4, first.nextCursor(), null, null);
        assertThat(second.items()).extracting(AuditEvent::target).containsExactly("link:s1", "link:s0");
        assertThat(second.nextCursor()).isNull();

        assertThat(audit.list(10, null, "link.deleted", null).items()).hasSize(1);
        assertThat(audit.list(10, null, null, "link:s2").items()).extracting(AuditEvent::action).containsExactly("link.deleted", "link.created");
    }

    @Test
    void ipPolicy_decidesWhatOfTheAddressIsKept() {
        AuditLog none = new AuditLog(new JdbcAuditStore(db), clock, ip -> null);
        none.alertDeleted(ALICE, 5);
        assertThat(audit.list(10, null, null, null).items().get(0).ip()).isNull();
    }

    @Test
    void purgeOlderThan_removesOnlyEventsPastRetention() {
        audit.alertDeleted(ALICE, 1);
        clock.advance(Duration.ofDays(10));
        audit.alertDeleted(ALICE, 2);
        assertThat(audit.purgeOlderThan(Duration.ofDays(5))).isEqualTo(1);
        assertThat(audit.list(10, null, null, null).items()).extracting(AuditEvent::target).containsExactly("alert:2");
    }
}
