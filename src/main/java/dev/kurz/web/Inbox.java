package dev.kurz.web;

import java.util.ArrayDeque;

/**
 * One live socket's incoming messages, handled one at a time and in the order they came. A
 * message whose handling waits for something (the key check, which may read the database; the
 * ownership check of a {@code links:own} subscription) holds the later ones back until it says
 * it is done; at most {@code max} wait, beyond that the client is told off by {@code overflow}.
 * Confined to the connection's event loop.
 */
final class Inbox {
    /** Handles one message and calls {@code done} once it is finished, at once or later on the event loop. */
    interface Handler {
        void handle(String message, Runnable done);
    }

    private final ArrayDeque<String> waiting = new ArrayDeque<>();
    private final int max;
    private final Handler handler;
    private final Runnable overflow;
    private boolean busy;
    private boolean draining;
    private boolean stopped;

    Inbox(int max, Handler handler, Runnable overflow) {
        this.max = max;
        this.handler = handler;
        this.overflow = overflow;
    }

    void offer(String message) {
        if (stopped) return;
        if (!busy) {
            run(message);
            return;
        }
        if (waiting.size() >= max) {
            stop();
            overflow.run();
            return;
        }
        waiting.addLast(message);
    }

    /** Drops what waits and ignores what comes: the connection is closing. */
    void stop() {
        stopped = true;
        waiting.clear();
    }

    private void run(String message) {
        busy = true;
        handler.handle(message, this::done);
    }

    private void done() {
        busy = false;
        if (draining) return; // a handler finished at once: the loop below takes the next message
        draining = true;
        try {
            String next;
            while (!busy && !stopped && (next = waiting.pollFirst()) != null) run(next);
        } finally {
            draining = false;
        }
    }
}
