package dev.kurz.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RevokedKeySweepTest {
    private final LiveHub hub = new LiveHub(() -> Instant.EPOCH, Duration.ofHours(1));
    private final List<Collection<Long>> asked = new ArrayList<>();
    private Set<Long> revoked = Set.of();
    private final RevokedKeySweep sweep = new RevokedKeySweep(hub, ids -> {
        asked.add(Set.copyOf(ids));
        return revoked;
    }, Duration.ofHours(1)); // passes are run by hand

    @AfterEach
    void close() {
        sweep.close();
        hub.close();
    }

    private LiveConnection connected(LiveHubTest.FakeTransport t, long keyId) {
        LiveConnection c = hub.connect(t);
        if (keyId >= 0) c.authenticatedAs(keyId);
        return c;
    }

    @Test
    void sweep_asksOnceForTheKeysBehindOpenConnections_andClosesTheRevokedOnes() {
        var a1 = new LiveHubTest.FakeTransport();
        var a2 = new LiveHubTest.FakeTransport();
        var b = new LiveHubTest.FakeTransport();
        var anonymous = new LiveHubTest.FakeTransport();
        connected(a1, 1);
        connected(a2, 1);
        connected(b, 2);
        connected(anonymous, -1); // not authenticated yet: nothing to ask about

        assertThat(sweep.sweep()).isZero();
        assertThat(asked).containsExactly(Set.of(1L, 2L));

        revoked = Set.of(1L);
        assertThat(sweep.sweep()).isEqualTo(2);
        assertThat(a1.closedWith).isEqualTo(LiveConnection.KEY_REVOKED);
        assertThat(a2.closedWith).isEqualTo(LiveConnection.KEY_REVOKED);
        assertThat(b.closedWith).isNull();
        assertThat(anonymous.closedWith).isNull();
    }

    @Test
    void sweep_withNoConnections_asksNothing_andAFailedQueryClosesNothing() {
        assertThat(sweep.sweep()).isZero();
        assertThat(asked).isEmpty();
        var t = new LiveHubTest.FakeTransport();
        connected(t, 3);
        RevokedKeySweep failing = new RevokedKeySweep(hub, ids -> {
            throw new IllegalStateException("database down");
        }, Duration.ofHours(1));
        try {
            assertThat(failing.sweep()).isZero();
            assertThat(t.closedWith).isNull();
        } finally {
            failing.close();
        }
    }

    @Test
    void remoteRevocation_closesLocalConnections_andTellsTheListener() {
        var t = new LiveHubTest.FakeTransport();
        connected(t, 5);
        List<Long> heard = new ArrayList<>();
        hub.onRemoteKeyRevoked(heard::add);
        hub.deliverRemote(new JsonObject().put("node", "another").put("kind", "key-revoked").put("keyId", 5L));
        assertThat(heard).containsExactly(5L);
        assertThat(t.closedWith).isEqualTo(LiveConnection.KEY_REVOKED);
    }
}
