package dev.kurz.app;

import dev.kurz.analytics.IpStorage;
import dev.kurz.audit.Actor;
import dev.kurz.audit.AuditLog;
import dev.kurz.auth.ApiKey;
import dev.kurz.auth.ApiKeyStore;
import dev.kurz.auth.ApiKeys;
import dev.kurz.auth.InvalidKeyException;
import dev.kurz.auth.Scope;
import dev.kurz.config.ConfigException;
import dev.kurz.config.Env;
import dev.kurz.config.KurzConfig;
import dev.kurz.storage.jdbc.Database;
import dev.kurz.storage.jdbc.JdbcAuditStore;
import dev.kurz.storage.jdbc.JdbcStore;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The command line: {@code kurz run}, {@code kurz keys create|list|revoke}, {@code kurz import|export}, {@code kurz help}.
 * Every command answers {@code --help} with its usage and exit 0 before it touches anything;
 * a bad option or argument is one line on stderr and exit 2.
 */
final class Cli {
    /** What {@code run} returns: the node serves until a signal, so the JVM must not exit now. */
    static final int SERVING = -1;

    private final PrintStream out;
    private final PrintStream err;
    private final Server server;

    /** Starts a node and returns once it serves; the command line never sees a {@link Kurz}. */
    @FunctionalInterface
    interface Server {
        void serve(PrintStream out);
    }

    Cli(PrintStream out, PrintStream err, Server server) {
        this.out = out;
        this.err = err;
        this.server = server;
    }

    /** Runs the command {@code args} names; the exit code, or {@link #SERVING}. */
    int execute(String... args) {
        CommandLine cl = new CommandLine(new Root(this));
        cl.addSubcommand("run", new RunCommand(this));
        CommandLine keys = new CommandLine(new KeysCommand(this));
        keys.addSubcommand("create", new CreateKey(this));
        keys.addSubcommand("list", new ListKeys(this));
        keys.addSubcommand("revoke", new RevokeKey(this));
        cl.addSubcommand("keys", keys);
        cl.addSubcommand("import", new TransferCommands.ImportCommand(out, err, System.getenv()));
        cl.addSubcommand("export", new TransferCommands.ExportCommand(out, err, System.getenv()));
        cl.addSubcommand("help", new CommandLine.HelpCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setParameterExceptionHandler((e, ignored) -> {
            err.println("kurz: " + e.getMessage() + " (see '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return 2;
        });
        // A failure an operator can fix is one line; anything else is logged with its trace.
        cl.setExecutionExceptionHandler((e, line, result) -> {
            if (e instanceof ConfigException) {
                err.println("kurz: " + e.getMessage());
                return 2;
            }
            if (e instanceof StartupException) {
                err.println("kurz: " + e.getMessage());
                return 1;
            }
            LoggerFactory.getLogger(Main.class).error("Kurz could not start: {}", e.getMessage(), e);
            return 1;
        });
        return cl.execute(args);
    }

    @Command(name = "kurz", description = "Kurz, a URL shortener with live click analytics.",
            footer = {"", "Settings are KURZ_* environment variables (see README). Without a command, kurz runs."})
    static final class Root implements Callable<Integer> {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
        boolean help;

        private final Cli cli;

        Root(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            cli.server.serve(cli.out);
            return SERVING;
        }
    }

    @Command(name = "run", description = "Start Kurz in the foreground, configured by KURZ_* variables; SIGTERM stops it gracefully.")
    static final class RunCommand implements Callable<Integer> {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
        boolean help;

        private final Cli cli;

        RunCommand(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            cli.server.serve(cli.out);
            return SERVING;
        }
    }

    @Command(name = "keys", description = "Create, list or revoke API keys (same KURZ_* storage settings as run).")
    static final class KeysCommand implements Callable<Integer> {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
        boolean help;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        private final Cli cli;

        KeysCommand(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            cli.err.println("kurz: keys needs a command: create, list or revoke (see 'kurz keys --help')");
            return 2;
        }
    }

    @Command(name = "create", description = "Create an API key and print it once on stdout.")
    static final class CreateKey implements Callable<Integer> {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
        boolean help;

        @Option(names = "--name", paramLabel = "NAME", description = "A name to recognise the key by (default: cli).")
        String name = "cli";

        @Option(names = "--scopes", paramLabel = "S", description = "Comma-separated: links:read, links:write, links:own, metrics, admin (default: admin).")
        String scopes;

        private final Cli cli;

        CreateKey(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            Set<Scope> granted = EnumSet.of(Scope.ADMIN);
            if (scopes != null) {
                try {
                    granted = Scope.parseAll(scopes);
                } catch (IllegalArgumentException e) {
                    cli.err.println("kurz: --scopes: " + e.getMessage());
                    return 2;
                }
            }
            Set<Scope> wanted = granted;
            return cli.withKeys((keys, audit) -> {
                ApiKeys.Issued k;
                try {
                    k = keys.createChecked(name, wanted);
                } catch (InvalidKeyException e) {
                    cli.err.println("kurz: " + e.detail());
                    return 2;
                }
                audit.keyCreated(Actor.commandLine(), k.info());
                cli.out.println(k.key());
                cli.err.println("created key " + k.info().id() + " '" + k.info().name() + "' with scopes "
                        + Scope.format(k.info().scopes()) + "; the key above is shown only this once");
                return 0;
            });
        }
    }

    @Command(name = "list", description = "List API keys (never their secret).")
    static final class ListKeys implements Callable<Integer> {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
        boolean help;

        private final Cli cli;

        ListKeys(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            return cli.withKeys((keys, audit) -> {
                cli.out.printf("%-6s %-14s %-28s %-24s %s%n", "ID", "PREFIX", "SCOPES", "CREATED", "NAME");
                for (ApiKey k : keys.list()) {
                    cli.out.printf("%-6d %-14s %-28s %-24s %s%s%n", k.id(), k.prefix(), Scope.format(k.scopes()), k.createdAt(),
                            k.name(), k.active() ? "" : " (revoked " + k.revokedAt() + ")");
                }
                return 0;
            });
        }
    }

    @Command(name = "revoke", description = "Revoke a key; running nodes refuse it within 2 s.")
    static final class RevokeKey implements Callable<Integer> {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
        boolean help;

        @Parameters(paramLabel = "ID|PREFIX", description = "The key's id or prefix, as 'kurz keys list' shows them.")
        String wanted;

        private final Cli cli;

        RevokeKey(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            return cli.withKeys((keys, audit) -> {
                ApiKey match = keys.list().stream()
                        .filter(k -> k.active() && (Long.toString(k.id()).equals(wanted) || k.prefix().equals(wanted)))
                        .findFirst().orElse(null);
                // The shell may revoke the last admin key: it can always create another one.
                var revoked = match == null ? null : keys.revoke(match.id(), false);
                if (revoked == null || revoked.outcome() != ApiKeyStore.Revocation.REVOKED) {
                    cli.err.println("kurz: no active key has the id or prefix '" + wanted + "'");
                    return 1;
                }
                audit.keyRevoked(Actor.commandLine(), revoked.key());
                cli.out.println("revoked " + wanted + " (running nodes refuse it within 2 s and close its live feeds)");
                return 0;
            });
        }
    }

    private interface KeyWork {
        int run(ApiKeys keys, AuditLog audit);
    }

    /** Opens the database only for the work itself: help and bad options never reach it. */
    private int withKeys(KeyWork work) {
        KurzConfig config = KurzConfig.from(Env.system());
        try (Database db = Database.open(config); var blocking = Executors.newVirtualThreadPerTaskExecutor()) {
            ApiKeys keys = new ApiKeys(new JdbcStore(db), Clock.systemUTC(), blocking);
            // The shell is a caller too: its key changes are in the same audit trail as the API's.
            AuditLog audit = new AuditLog(new JdbcAuditStore(db), Clock.systemUTC(), IpStorage.parse(config.analytics().storeIp())::keep);
            return work.run(keys, audit);
        }
    }
}
