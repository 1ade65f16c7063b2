package dev.kurz.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The command line in this JVM: help and bad options never start a server or open a database. */
class CliTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private int served;

    private int run(String... args) {
        Cli cli = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                o -> served++);
        return cli.execute(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void runHelp_printsUsageAndStartsNothing() {
        assertThat(run("run", "--help")).isZero();
        assertThat(out()).startsWith("Usage: kurz run");
        assertThat(served).isZero();
    }

    @Test
    void everyCommandsHelp_exitsZeroWithItsUsage() {
        for (String[] args : new String[][] {{"--help"}, {"-h"}, {"keys", "--help"}, {"keys", "create", "--help"},
                {"keys", "list", "-h"}, {"keys", "revoke", "--help"}, {"help"}, {"help", "keys"}, {"help", "--help"}}) {
            out.reset();
            assertThat(run(args)).as(String.join(" ", args)).isZero();
            assertThat(out()).as(String.join(" ", args)).contains("Usage: kurz");
        }
        // No KURZ_* settings are read and no database is opened for help: nothing else could have printed.
        assertThat(err()).isEmpty();
        assertThat(served).isZero();
    }

    @Test
    void unknownOption_isOneLineAndExit2() {
        assertThat(run("run", "--port", "9")).isEqualTo(2);
        assertThat(err()).isEqualTo("kurz: Unknown options: '--port', '9' (see 'kurz run --help')" + System.lineSeparator());
        assertThat(served).isZero();
    }

    @Test
    void unknownCommandOrMissingArgument_isOneLineAndExit2() {
        assertThat(run("serve")).isEqualTo(2);
        assertThat(run("keys", "revoke")).isEqualTo(2);
        assertThat(run("keys")).isEqualTo(2);
        assertThat(err().lines()).hasSize(3).allMatch(l -> l.startsWith("kurz: "));
        assertThat(out()).isEmpty();
    }

    @Test
    void runAndNoCommand_serve() {
        assertThat(run("run")).isEqualTo(Cli.SERVING);
        assertThat(run()).isEqualTo(Cli.SERVING);
        assertThat(served).isEqualTo(2);
    }
}
