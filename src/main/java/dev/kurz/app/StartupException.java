package dev.kurz.app;

/**
 * A start that cannot go on for a reason the operator can fix (the port is taken, another
 * process holds the data directory): one line on stderr and exit 1, never a stack trace.
 */
public final class StartupException extends RuntimeException {
    public StartupException(String message) {
        super(message, null, false, false);
    }
}
