package dev.kurz.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Running podman and other tools from tests: every call has a deadline and leaves a log. */
final class Containers {
    private Containers() {}

    record Result(int exit, String output, String errors) {
        String tail(int lines) {
            List<String> all = (output + "\n" + errors).lines().toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        }
    }

    /** Runs a command; stdout and stderr apart, both appended to {@code log}; killed after {@code timeout}. */
    static Result run(Path log, Duration timeout, Map<String, String> env, String... command) throws IOException, InterruptedException {
        Files.createDirectories(log.getParent());
        Path out = Files.createTempFile(log.getParent(), "out", ".txt");
        Path err = Files.createTempFile(log.getParent(), "err", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout + "; see " + log);
            }
            Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
            Files.writeString(log, "$ " + String.join(" ", command) + "\n" + r.output() + r.errors() + "→ exit " + r.exit() + "\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return r;
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Fails the test with what to install when {@code tool} is not on the PATH. */
    static void require(String tool, String why) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", "command -v " + tool).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (p.waitFor() != 0) throw new AssertionError(tool + " is not installed; it is needed " + why);
    }

    /**
     * podman with the same runtime choices as {@code ./kurz image}: runc when crun is missing,
     * cgroupfs when systemd does not run (containers and CI machines).
     */
    static List<String> podmanCommand() throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("podman"));
        if (!onPath("crun") && onPath("runc")) cmd.addAll(List.of("--runtime", "runc"));
        if (!Files.isDirectory(Path.of("/run/systemd/system"))) cmd.add("--cgroup-manager=cgroupfs");
        return cmd;
    }

    private static boolean onPath(String tool) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", "command -v " + tool).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor() == 0;
    }

    /** This process's hard limit on open files: a container cannot be given more. */
    static long hardOpenFilesLimit() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", "ulimit -Hn").start();
        String v = new String(p.getInputStream().readAllBytes()).strip();
        p.waitFor();
        return v.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(v);
    }

    /** Where the Debian base tarball is kept between runs: /var/cache/kurz, or target/ when that is not writable. */
    static Path baseCache() {
        Path cache = Path.of("/var/cache/kurz");
        try {
            Files.createDirectories(cache);
            if (Files.isWritable(cache)) return cache;
        } catch (IOException notWritable) {
            // fall through
        }
        return Path.of("target").toAbsolutePath();
    }

    /** The project's version, as {@code ./kurz image} tags the image. */
    static String pomVersion(Path root) throws IOException {
        Matcher m = Pattern.compile("<artifactId>kurz</artifactId>\\s*<version>([^<]+)</version>").matcher(Files.readString(root.resolve("pom.xml")));
        if (!m.find()) throw new AssertionError("no <version> after <artifactId>kurz</artifactId> in pom.xml");
        return m.group(1);
    }
}
