package dev.kurz.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Kurz as a child process, started as {@code ./kurz run} starts it ({@code java … dev.kurz.app.Main}
 * on this build's classpath, which is what {@code target/kurz.jar}'s manifest names), with its
 * stdout and stderr in one file. {@link #close()} kills whatever is still running.
 */
public final class KurzProcess implements AutoCloseable {
    public final Process process;
    public final Path output;
    public final int port;

    private KurzProcess(Process process, Path output, int port) {
        this.process = process;
        this.output = output;
        this.port = port;
    }

    /** Starts {@code kurz args…} with these settings (KURZ_HOST is 127.0.0.1; KURZ_PORT a free port unless given). */
    public static KurzProcess start(Path workDir, Map<String, String> settings, String... args) {
        Map<String, String> env = new HashMap<>(settings);
        env.putIfAbsent("KURZ_PORT", Integer.toString(TestServers.freePort()));
        env.putIfAbsent("KURZ_HOST", "127.0.0.1");
        env.putIfAbsent("KURZ_RATELIMIT_REDIRECT", "off");
        env.putIfAbsent("KURZ_SHUTDOWN_DRAIN", "0");
        env.putIfAbsent("KURZ_RATELIMIT_API", "off");
        env.putIfAbsent("KURZ_RATELIMIT_API_IP", "off");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
        if (Runtime.version().feature() >= 23) cmd.add("--sun-misc-unsafe-memory-access=allow");
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.kurz.app.Main"));
        cmd.addAll(List.of(args));
        try {
            Path out = Files.createTempFile(workDir, "kurz", ".out");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("KURZ_"));
            pb.environment().putAll(env);
            return new KurzProcess(pb.start(), out, Integer.parseInt(env.get("KURZ_PORT")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String base() {
        return "http://127.0.0.1:" + port;
    }

    /** Everything it printed so far. */
    public String output() {
        try {
            return Files.readString(output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until {@code /health/ready} answers 200; fails with its output when it exits or takes over 30 s. */
    public KurzProcess awaitReady() {
        Api api = new Api(base(), null);
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (api.get("/health/ready").status() == 200) return this;
            } catch (RuntimeException notYet) {
                // still starting
            }
            if (!process.isAlive()) throw new AssertionError("Kurz exited with " + process.exitValue() + ": " + output());
            sleep(50);
        }
        throw new AssertionError("Kurz did not become ready: " + output());
    }

    /** The exit code, waiting at most 30 s. */
    public int exitCode() {
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) throw new AssertionError("Kurz did not exit: " + output());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return process.exitValue();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
