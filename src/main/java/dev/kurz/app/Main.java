package dev.kurz.app;

import dev.kurz.auth.ApiKeys;
import dev.kurz.config.Env;
import dev.kurz.config.KurzConfig;
import java.io.PrintStream;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code kurz run} starts a node; {@code kurz keys create|list|revoke} manages API keys (see {@link Cli}). */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        int code = new Cli(System.out, System.err, Main::serve).execute(args);
        if (code != Cli.SERVING) System.exit(code);
    }

    private static void serve(PrintStream out) {
        Logger log = LoggerFactory.getLogger(Main.class);
        long t0 = System.nanoTime();
        KurzConfig config = KurzConfig.from(Env.system());
        Kurz kurz = Kurz.start(config, Clock.systemUTC(), k -> showFirstKey(out, k, config));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            kurz.close();
            stopped.countDown();
        }, "kurz-shutdown"));
        Signals.exitZeroOnTerm();
        log.info("Kurz listening on {}:{} ({}), storage: {}, redis: {}, transport: {}, started in {} ms",
                config.server().host(), kurz.port(), config.server().base(),
                config.storage().postgres() ? "PostgreSQL" : "SQLite " + config.server().dataDir().resolve("kurz.db"),
                config.redis().enabled() ? KurzConfig.redact(config.redis().url()) : "off",
                kurz.transport(),
                (System.nanoTime() - t0) / 1_000_000);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void showFirstKey(PrintStream out, ApiKeys.Issued k, KurzConfig config) {
        out.printf("""

                Kurz created an admin API key. It is shown only this once; store it now:

                    %s

                Use it with every API call, for example:
                    curl -H 'X-Api-Key: %s' -H 'Content-Type: application/json' \\
                         -d '{"url":"https://example.com"}' %s/api/v1/links
                Manage keys with: ./kurz keys create | list | revoke

                """, k.key(), k.key(), config.server().base());
        out.flush();
    }
}
