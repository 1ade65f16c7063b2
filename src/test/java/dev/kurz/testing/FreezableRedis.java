package dev.kurz.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import redis.embedded.RedisServer;

/**
 * A Redis server of a test's own (not the shared one of {@link TestServers}), which the test can
 * freeze with SIGSTOP, as a hung or overloaded Redis would be: connections stay open, nothing answers.
 */
public final class FreezableRedis implements AutoCloseable {
    private final RedisServer server;
    private final int port;
    private final long pid;

    public FreezableRedis() {
        this.port = TestServers.freePort();
        // The settings go to a config file, so the command line does not name the port: the new child is ours.
        java.util.Set<Long> before = ProcessHandle.current().descendants().map(ProcessHandle::pid).collect(java.util.stream.Collectors.toSet());
        try {
            server = RedisServer.newRedisServer().port(port).bind("127.0.0.1").setting("save \"\"").setting("appendonly no").build();
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded Redis", e);
        }
        this.pid = ProcessHandle.current().descendants()
                .filter(p -> !before.contains(p.pid()) && p.info().command().orElse("").contains("redis"))
                .mapToLong(ProcessHandle::pid)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("cannot find the redis-server process on port " + port));
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public void freeze() {
        signal("-STOP");
    }

    public void thaw() {
        signal("-CONT");
    }

    private void signal(String sig) {
        Signals.send(sig, pid);
    }

    @Override
    public void close() {
        try {
            thaw();
            server.stop();
        } catch (IOException | RuntimeException e) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }
}
