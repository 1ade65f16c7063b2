package dev.kurz.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InboxTest {
    private final List<String> handled = new ArrayList<>();
    private final List<Runnable> pending = new ArrayList<>();
    private int overflows;

    /** Messages starting with "wait" finish only when the test says so; the others at once. */
    private final Inbox inbox = new Inbox(3, (m, done) -> {
        handled.add(m);
        if (m.startsWith("wait")) pending.add(done);
        else done.run();
    }, () -> overflows++);

    @Test
    void messagesBehindAPendingOne_waitAndRunInOrder() {
        inbox.offer("wait-auth");
        inbox.offer("subscribe");
        inbox.offer("ping");
        assertThat(handled).containsExactly("wait-auth");
        pending.removeFirst().run();
        assertThat(handled).containsExactly("wait-auth", "subscribe", "ping");
        inbox.offer("ping2");
        assertThat(handled).endsWith("ping2");
    }

    @Test
    void aPendingMessageInTheQueue_holdsBackTheOnesAfterIt() {
        inbox.offer("wait-1");
        inbox.offer("wait-2");
        inbox.offer("after");
        pending.removeFirst().run();
        assertThat(handled).containsExactly("wait-1", "wait-2");
        pending.removeFirst().run();
        assertThat(handled).containsExactly("wait-1", "wait-2", "after");
    }

    @Test
    void moreWaitingThanTheBound_overflowsOnce_andDropsEverything() {
        inbox.offer("wait-auth");
        for (int i = 0; i < 5; i++) inbox.offer("m" + i);
        assertThat(overflows).isEqualTo(1);
        pending.removeFirst().run();
        assertThat(handled).containsExactly("wait-auth");
    }

    @Test
    void stop_dropsWhatWaits() {
        inbox.offer("wait-auth");
        inbox.offer("subscribe");
        inbox.stop();
        pending.removeFirst().run();
        inbox.offer("later");
        assertThat(handled).containsExactly("wait-auth");
    }
}
