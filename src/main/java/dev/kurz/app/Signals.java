package dev.kurz.app;

import org.slf4j.LoggerFactory;

/**
 * SIGTERM and SIGINT are how Kurz is asked to stop, not failures: the JVM's default handler
 * would exit 143 (130) after the shutdown hook, and supervisors would report a clean, drained
 * stop as a crash. Here they become {@code System.exit(0)}, which runs the same hook.
 */
final class Signals {
    private Signals() {}

    @SuppressWarnings("removal") // sun.misc.Signal is the only way to take over a signal without JVM flags
    static void exitZeroOnTerm() {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> System.exit(0));
            } catch (IllegalArgumentException e) {
                // The signal is reserved (-Xrs) or ignored (nohup): the JVM's own handling stays.
                LoggerFactory.getLogger(Signals.class).debug("SIG{} keeps the JVM's handling: {}", name, e.getMessage());
            }
        }
    }
}
