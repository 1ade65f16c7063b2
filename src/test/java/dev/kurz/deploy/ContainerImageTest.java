package dev.kurz.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.testing.Api;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The container image as a user gets it: {@code ./kurz image} builds it with podman from the
 * Containerfile, on a Debian base this test makes from Debian packages when it is not there
 * (mmdebstrap minbase, imported under the Containerfile's default base name, the tarball cached
 * in /var/cache/kurz). Then it runs the image as an operator would: a named volume on /data, the
 * admin key from a mounted file, a published port; creates and follows a link, replaces the
 * container on the same volume and finds the link again.
 *
 * <p>Takes about two minutes with the base cached (the image build is most of it), five the first
 * time on a machine. Needs podman and runc, and mmdebstrap for the first base; {@code .ci/run}
 * installs them. It fails, never skips, when they are missing.
 */
@Tag("container")
class ContainerImageTest {
    static final long MAX_IMAGE_BYTES = 150_000_000L;
    static final Path ROOT = Path.of("").toAbsolutePath();
    static final Path WORK = ROOT.resolve("target/container-image-test");
    static final String KEY_IN_CONTAINER = "/run/secrets/kurz-api-key";

    static List<String> podman;
    static String image;
    static String volume;
    static String apiKey;
    static Path keyFile;
    static final List<String> containers = new ArrayList<>();

    @BeforeAll
    static void buildImage() throws Exception {
        Files.createDirectories(WORK);
        podman = podmanCommand();
        ensureBase(baseImageName());
        image = "localhost/kurz-image-test:" + Containers.pomVersion(ROOT);
        Containers.Result build = Containers.run(WORK.resolve("build.log"), Duration.ofMinutes(12), Map.of("KURZ_IMAGE", image),
                ROOT.resolve("kurz").toString(), "image");
        assertThat(build.exit()).as("./kurz image failed:%n%s", build.tail(60)).isZero();
        volume = "kurz-image-test-" + UUID.randomUUID().toString().substring(0, 8);
        podman("volume", "create", volume);
        apiKey = "kurz_" + UUID.randomUUID().toString().replace("-", "") + UUID.randomUUID().toString().replace("-", "");
        keyFile = WORK.resolve("api-key");
        Files.writeString(keyFile, apiKey + "\n");
        // The container's user (10001) reads the bind-mounted file; it is a throwaway test key.
        Files.setPosixFilePermissions(keyFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (podman == null) return;
        for (String c : containers) Containers.run(WORK.resolve("cleanup.log"), Duration.ofMinutes(1), Map.of(), cmd("rm", "-f", "-t", "5", c));
        if (volume != null) Containers.run(WORK.resolve("cleanup.log"), Duration.ofMinutes(1), Map.of(), cmd("volume", "rm", "-f", volume));
        // Only this build's image; the base and the build cache stay for the next run.
        if (image != null) Containers.run(WORK.resolve("cleanup.log"), Duration.ofMinutes(1), Map.of(), cmd("rmi", "-f", image));
    }

    @Test
    void image_isSmallNonRootWithVolumePortAndHealthcheck() throws Exception {
        long size = Long.parseLong(podman("image", "inspect", "--format", "{{.Size}}", image).strip());
        assertThat(size).as("image size in bytes").isLessThanOrEqualTo(MAX_IMAGE_BYTES);
        JsonObject inspected = new io.vertx.core.json.JsonArray(podman("image", "inspect", image)).getJsonObject(0);
        JsonObject config = inspected.getJsonObject("Config");
        assertThat(config.getString("User")).isEqualTo("10001:10001");
        assertThat(config.getJsonObject("Volumes").fieldNames()).contains("/data");
        assertThat(config.getJsonObject("ExposedPorts").fieldNames()).contains("8080/tcp", "9090/tcp");
        assertThat(config.getJsonArray("Env").getList()).contains("KURZ_DATA_DIR=/data", "KURZ_SKIP_BUILD=1");
        JsonObject health = inspected.getJsonObject("Healthcheck");
        assertThat(health).as("HEALTHCHECK kept (podman build --format docker)").isNotNull();
        assertThat(health.getJsonArray("Test").encode()).contains("/health/live");
    }

    @Test
    void container_servesLinksKeepsThemOnItsVolumeAndRunsAsNonRoot() throws Exception {
        String first = start();
        Api api = waitReady(first);

        Api.Resp created = api.post("/api/v1/links", new JsonObject().put("url", "https://example.com/from-a-container").put("slug", "boxed1"));
        assertThat(created.status()).as("create: %s", created).isEqualTo(201);
        Api.Resp redirect = api.get("/boxed1");
        assertThat(redirect.status()).isEqualTo(302);
        assertThat(redirect.header("location")).isEqualTo("https://example.com/from-a-container");
        // PNG QR codes need java.desktop's headless imaging, which the trimmed runtime must keep.
        Api.Resp qr = api.get("/api/v1/links/boxed1/qr?format=png");
        assertThat(qr.status()).isEqualTo(200);
        assertThat(qr.contentType()).isEqualTo("image/png");

        assertThat(podman("exec", first, "id", "-u").strip()).isNotEqualTo("0").isEqualTo("10001");
        // The launcher execs java, so the JVM is PID 1 and receives SIGTERM itself.
        assertThat(podman("exec", first, "cat", "/proc/1/cmdline").replace('\0', ' ')).contains("java").contains("kurz.jar run");
        Containers.Result health = Containers.run(WORK.resolve("healthcheck.log"), Duration.ofMinutes(1), Map.of(),
                cmd("healthcheck", "run", first));
        assertThat(health.exit()).as("the image's HEALTHCHECK: %s", health.tail(20)).isZero();

        // SIGTERM: Kurz drains, shuts down cleanly and exits 0 well within podman's wait.
        podman("stop", "-t", "30", first);
        assertThat(podman("inspect", "--format", "{{.State.ExitCode}}", first).strip()).isEqualTo("0");
        assertThat(podman("logs", first)).contains("stopped");
        podman("rm", first);

        // A new container on the same volume finds the link: the data lives in /data, not in the
        // container. This one as Kubernetes and compose run it: read-only root file system, a
        // writable /tmp for the native libraries sqlite-jdbc and Netty unpack (exec: they are loaded from there).
        String second = start("--read-only", "--tmpfs", "/tmp:rw,exec,nosuid,nodev,size=64m");
        Api again = waitReady(second);
        assertThat(again.get("/boxed1").header("location")).isEqualTo("https://example.com/from-a-container");
        assertThat(again.get("/api/v1/links/boxed1").json().getString("url")).isEqualTo("https://example.com/from-a-container");
        assertThat(podman("logs", second)).as("native epoll transport, not the NIO fallback").contains("transport: epoll");
    }

    private static String start(String... options) throws Exception {
        String name = "kurz-image-test-" + UUID.randomUUID().toString().substring(0, 8);
        containers.add(name);
        long nofile = Math.min(65_536, Containers.hardOpenFilesLimit());
        List<String> run = new ArrayList<>(List.of("run", "-d", "--name", name,
                "--ulimit", "nofile=" + nofile + ":" + nofile, "--ulimit", "nproc=4096:4096",
                "-v", volume + ":/data", "-v", keyFile + ":" + KEY_IN_CONTAINER + ":ro",
                "-e", "KURZ_API_KEY_FILE=" + KEY_IN_CONTAINER,
                "-e", "KURZ_RATELIMIT_REDIRECT=off",
                "-p", "127.0.0.1::8080"));
        run.addAll(List.of(options));
        run.add(image);
        podman(run.toArray(String[]::new));
        return name;
    }

    private static Api waitReady(String container) throws Exception {
        String mapping = podman("port", container, "8080/tcp").strip(); // 127.0.0.1:NNNNN
        Api api = new Api("http://" + mapping.lines().findFirst().orElseThrow(), apiKey);
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (api.get("/health/ready").status() == 200) return api;
            } catch (RuntimeException notYet) {
                // still starting
            }
            String state = podman("inspect", "--format", "{{.State.Status}}", container).strip();
            if (!state.equals("running")) throw new AssertionError("the container stopped (" + state + "):\n" + podman("logs", container));
            Thread.sleep(250);
        }
        throw new AssertionError("not ready within 90 s:\n" + podman("logs", container));
    }

    /** The base named by the Containerfile's {@code ARG BASE=}; made from Debian packages when missing. */
    static String baseImageName() throws IOException {
        Matcher m = Pattern.compile("(?m)^ARG BASE=(\\S+)").matcher(Files.readString(ROOT.resolve("Containerfile")));
        assertThat(m.find()).as("Containerfile declares ARG BASE=<default>").isTrue();
        return m.group(1);
    }

    static void ensureBase(String name) throws Exception {
        if (Containers.run(WORK.resolve("base.log"), Duration.ofMinutes(1), Map.of(), cmd("image", "exists", name)).exit() == 0) return;
        Path tar = Containers.baseCache().resolve("debian-bookworm-minbase.tar");
        if (!Files.isRegularFile(tar)) {
            Containers.require("mmdebstrap", "to make the Debian base image (apt-get install mmdebstrap; .ci/run installs it)");
            Path partial = tar.resolveSibling("debian-bookworm-minbase.partial.tar");
            Files.deleteIfExists(partial);
            // As debian:bookworm-slim is made: minbase, merged /usr without the usrmerge package
            // (it would pull perl in), no documentation, manuals or translations.
            Containers.Result made = Containers.run(WORK.resolve("mmdebstrap.log"), Duration.ofMinutes(10), Map.of(),
                    "mmdebstrap", "--variant=minbase", "--format=tar", "--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr",
                    "--dpkgopt=path-exclude=/usr/share/doc/*", "--dpkgopt=path-include=/usr/share/doc/*/copyright",
                    "--dpkgopt=path-exclude=/usr/share/man/*", "--dpkgopt=path-exclude=/usr/share/locale/*",
                    "--dpkgopt=path-exclude=/usr/share/info/*", "bookworm", partial.toString());
            assertThat(made.exit()).as("mmdebstrap failed:%n%s", made.tail(40)).isZero();
            Files.move(partial, tar, StandardCopyOption.ATOMIC_MOVE);
        }
        podman("import", tar.toString(), name);
    }

    static List<String> podmanCommand() throws Exception {
        Containers.require("podman", "to build and run the image (apt-get install podman runc; .ci/run installs them)");
        return Containers.podmanCommand();
    }

    static String[] cmd(String... args) {
        List<String> all = new ArrayList<>(podman);
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    static String podman(String... args) throws Exception {
        Containers.Result r = Containers.run(WORK.resolve("podman.log"), Duration.ofMinutes(3), Map.of(), cmd(args));
        if (r.exit() != 0) throw new AssertionError("podman " + String.join(" ", args) + " exited " + r.exit() + ":\n" + r.tail(40));
        return r.output();
    }
}
