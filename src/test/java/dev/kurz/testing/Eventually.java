package dev.kurz.testing;

import java.util.function.BooleanSupplier;

/** Polls a condition until it holds, failing the test with what was awaited once {@code millis} have passed. */
public final class Eventually {
    private Eventually() {}

    public static void await(String what, long millis, BooleanSupplier done) {
        long deadline = System.currentTimeMillis() + millis;
        while (!done.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("not within " + millis + " ms: " + what);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
