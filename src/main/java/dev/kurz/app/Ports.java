package dev.kurz.app;

import dev.kurz.config.KurzConfig;
import io.vertx.core.Future;
import java.net.BindException;
import java.util.concurrent.CompletionException;

/** Turns a failed bind into the one line an operator needs instead of Netty's stack trace. */
final class Ports {
    private Ports() {}

    static int bound(Future<Integer> listening, KurzConfig.Server server) {
        try {
            return listening.toCompletionStage().toCompletableFuture().join();
        } catch (CompletionException e) {
            String why = bindFailure(e.getCause());
            if (why == null) throw e;
            if (why.contains("in use")) {
                throw new StartupException("port " + server.port() + " is in use (KURZ_PORT): stop what listens there, or set KURZ_PORT to a free port");
            }
            throw new StartupException("cannot listen on " + server.host() + ":" + server.port() + " (KURZ_HOST, KURZ_PORT): " + why);
        }
    }

    /** The OS's reason when {@code t} (or a cause) is a failed bind, else null. */
    static String bindFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = c.getMessage() == null ? "" : c.getMessage();
            // Netty's epoll transport reports EADDRINUSE as its own IOException, not a BindException.
            if (m.contains("Address already in use")) return "address in use";
            if (c instanceof BindException) return m;
        }
        return null;
    }
}
