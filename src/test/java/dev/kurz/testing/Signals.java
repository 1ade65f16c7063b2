package dev.kurz.testing;

import java.io.IOException;
import java.io.UncheckedIOException;

/** POSIX signals to a server process the tests started: SIGSTOP freezes it as a hung host would be, SIGCONT thaws it. */
public final class Signals {
    private Signals() {}

    /** Sends {@code sig} (e.g. {@code -STOP}) with kill(1); a process that is already gone is not an error. */
    public static void send(String sig, long pid) {
        try {
            int rc = new ProcessBuilder("kill", sig, Long.toString(pid)).inheritIO().start().waitFor();
            if (rc != 0 && ProcessHandle.of(pid).isPresent()) throw new IllegalStateException("kill " + sig + " " + pid + " exited with " + rc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
