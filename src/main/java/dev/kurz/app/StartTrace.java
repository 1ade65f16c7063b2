package dev.kurz.app;

/**
 * Where start-up time goes, phase by phase, on standard error when {@code KURZ_START_TRACE=1}
 * (bench/startup and ADR 0018 use it); costs one comparison per phase otherwise.
 */
final class StartTrace {
    private static final boolean ON = "1".equals(System.getenv("KURZ_START_TRACE"));
    private static long last = System.nanoTime();

    private StartTrace() {}

    static void mark(String phase) {
        if (!ON) return;
        long now = System.nanoTime();
        System.err.printf("kurz start: %-28s %6.1f ms%n", phase, (now - last) / 1e6);
        last = now;
    }
}
