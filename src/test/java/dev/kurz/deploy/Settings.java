package dev.kurz.deploy;

import dev.kurz.config.Env;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Every KURZ_* variable Kurz reads, found in its sources rather than listed by hand, so a
 * deployment file that sets a misspelt or removed setting fails the suite.
 */
final class Settings {
    private Settings() {}

    static final Path ROOT = Path.of("").toAbsolutePath();

    /** Read by the launcher, which is the image's entrypoint. */
    static final Set<String> LAUNCHER = Set.of("KURZ_JAVA_OPTS", "KURZ_SKIP_BUILD");

    /** The secrets that may come from files ({@code NAME_FILE}, Env.secret). */
    static final Set<String> SECRETS = scan(ROOT.resolve("src/main/java/dev/kurz/config"), Pattern.compile("secret\\(\"(KURZ_[A-Z0-9_]+)\"\\)"));

    static final Set<String> KNOWN = known();

    private static Set<String> known() {
        Set<String> all = new TreeSet<>(scan(ROOT.resolve("src/main/java/dev/kurz/config"), Pattern.compile("\"(KURZ_[A-Z0-9_]+)\"")));
        SECRETS.forEach(s -> all.add(s + "_FILE"));
        all.addAll(scan(ROOT.resolve("src/main/resources/logback.xml"), Pattern.compile("\\$\\{(KURZ_[A-Z0-9_]+)")));
        try {
            String launcher = Files.readString(ROOT.resolve("kurz"));
            for (String v : LAUNCHER) {
                if (!launcher.contains(v)) throw new AssertionError("the launcher no longer reads " + v);
                all.add(v);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return all;
    }

    private static Set<String> scan(Path where, Pattern p) {
        Set<String> found = new TreeSet<>();
        try (Stream<Path> files = Files.isDirectory(where) ? Files.walk(where) : Stream.of(where)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Matcher m = p.matcher(Files.readString(f));
                while (m.find()) found.add(m.group(1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    /** A duration as Kurz reads it (500ms, 30s, 5m, or seconds). */
    static Duration duration(String value) {
        return new Env(Map.of("X", value)).duration("X", Duration.ZERO);
    }
}
