package dev.kurz.app;

import dev.kurz.analytics.IpStorage;
import dev.kurz.audit.Actor;
import dev.kurz.audit.AuditLog;
import dev.kurz.auth.ApiKey;
import dev.kurz.auth.InvalidKeyException;
import dev.kurz.auth.ApiKeys;
import dev.kurz.auth.Scope;
import dev.kurz.config.ConfigException;
import dev.kurz.config.Env;
import dev.kurz.config.KurzConfig;
import dev.kurz.storage.jdbc.Database;
import dev.kurz.storage.jdbc.JdbcAuditStore;
import dev.kurz.storage.jdbc.JdbcStore;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code kurz run} starts a node; {@code kurz keys create|list|revoke} manages API keys. */
public final class Main {
    private static final String USAGE = """
            usage: kurz run                                   start Kurz (configured by KURZ_* variables)
                   kurz keys create [--name NAME] [--scopes S] create an API key (scopes: links:read,links:write,links:own,metrics,admin; default admin)
                   kurz keys list                             list API keys (never their secret)
                   kurz keys revoke ID|PREFIX                 revoke a key
            """;

    private Main() {}

    public static void main(String[] args) {
        int code;
        try {
            code = run(args, System.out, System.err);
        } catch (ConfigException e) {
            System.err.println("kurz: " + e.getMessage());
            code = 2;
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(Main.class).error("Kurz could not start: {}", e.getMessage(), e);
            code = 1;
        }
        if (code != 0 || !(args.length == 0 || args[0].equals("run"))) System.exit(code);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        String command = args.length == 0 ? "run" : args[0];
        switch (command) {
            case "run" -> {
                serve(out);
                return 0;
            }
            case "keys" -> {
                return keys(Arrays.copyOfRange(args, 1, args.length), out, err);
            }
            case "help", "--help", "-h" -> {
                out.print(USAGE);
                return 0;
            }
            default -> {
                err.println("kurz: unknown command '" + command + "'");
                err.print(USAGE);
                return 2;
            }
        }
    }

    private static void serve(PrintStream out) {
        Logger log = LoggerFactory.getLogger(Main.class);
        long t0 = System.nanoTime();
        KurzConfig config = KurzConfig.from(Env.system());
        Kurz kurz = Kurz.start(config, Clock.systemUTC());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            kurz.close();
            stopped.countDown();
        }, "kurz-shutdown"));
        kurz.firstKey().ifPresent(k -> out.printf("""

                Kurz created an admin API key. It is shown only this once; store it now:

                    %s

                Use it with every API call, for example:
                    curl -H 'X-Api-Key: %s' -H 'Content-Type: application/json' \\
                         -d '{"url":"https://example.com"}' %s/api/v1/links
                Manage keys with: ./kurz keys create | list | revoke

                """, k.key(), k.key(), config.server().base()));
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

    private static int keys(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.print(USAGE);
            return 2;
        }
        KurzConfig config = KurzConfig.from(Env.system());
        try (Database db = Database.open(config); var blocking = Executors.newVirtualThreadPerTaskExecutor()) {
            ApiKeys keys = new ApiKeys(new JdbcStore(db), Clock.systemUTC(), blocking);
            // The shell is a caller too: its key changes are in the same audit trail as the API's.
            AuditLog audit = new AuditLog(new JdbcAuditStore(db), Clock.systemUTC(), IpStorage.parse(config.analytics().storeIp())::keep);
            switch (args[0]) {
                case "create" -> {
                    String name = "cli";
                    Set<Scope> scopes = EnumSet.of(Scope.ADMIN);
                    for (int i = 1; i < args.length; i++) {
                        if (args[i].equals("--name") && i + 1 < args.length) {
                            name = args[++i];
                        } else if (args[i].equals("--scopes") && i + 1 < args.length) {
                            try {
                                scopes = Scope.parseAll(args[++i]);
                            } catch (IllegalArgumentException e) {
                                err.println("kurz: --scopes: " + e.getMessage());
                                return 2;
                            }
                        } else {
                            err.println("kurz: unknown option '" + args[i] + "'");
                            return 2;
                        }
                    }
                    ApiKeys.Issued k;
                    try {
                        k = keys.createChecked(name, scopes);
                    } catch (InvalidKeyException e) {
                        err.println("kurz: " + e.detail());
                        return 2;
                    }
                    audit.keyCreated(Actor.commandLine(), k.info());
                    out.println(k.key());
                    err.println("created key " + k.info().id() + " '" + k.info().name() + "' with scopes "
                            + Scope.format(k.info().scopes()) + "; the key above is shown only this once");
                    return 0;
                }
                case "list" -> {
                    out.printf("%-6s %-14s %-28s %-24s %s%n", "ID", "PREFIX", "SCOPES", "CREATED", "NAME");
                    for (ApiKey k : keys.list()) {
                        out.printf("%-6d %-14s %-28s %-24s %s%s%n", k.id(), k.prefix(), Scope.format(k.scopes()), k.createdAt(),
                                k.name(), k.active() ? "" : " (revoked " + k.revokedAt() + ")");
                    }
                    return 0;
                }
                case "revoke" -> {
                    if (args.length != 2) {
                        err.println("kurz: keys revoke takes one ID or PREFIX");
                        return 2;
                    }
                    String wanted = args[1];
                    ApiKey match = keys.list().stream()
                            .filter(k -> k.active() && (Long.toString(k.id()).equals(wanted) || k.prefix().equals(wanted)))
                            .findFirst().orElse(null);
                    // The shell may revoke the last admin key: it can always create another one.
                    var revoked = match == null ? null : keys.revoke(match.id(), false);
                    if (revoked == null || revoked.outcome() != dev.kurz.auth.ApiKeyStore.Revocation.REVOKED) {
                        err.println("kurz: no active key has the id or prefix '" + wanted + "'");
                        return 1;
                    }
                    audit.keyRevoked(Actor.commandLine(), revoked.key());
                    out.println("revoked " + wanted + " (running nodes refuse it within 2 s and close its live feeds)");
                    return 0;
                }
                default -> {
                    err.println("kurz: unknown keys command '" + args[0] + "'");
                    err.print(USAGE);
                    return 2;
                }
            }
        }
    }
}
