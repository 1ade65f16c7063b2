package dev.kurz.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kurz.analytics.TrustedProxies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/compose.yaml, checked without docker compose (not available here): parsed strictly (no
 * duplicate keys; anchors expanded; every field one the records below declare, so a misspelt
 * key fails), then the rules: two Kurz nodes, PostgreSQL, Redis and the load balancer, each with
 * a health check and a pinned image; secrets only as files; only real KURZ_* settings.
 */
@Tag("deploy")
class ComposeFileTest {
    static final Path DEPLOY = Settings.ROOT.resolve("deploy");

    record Compose(String name, Map<String, ComposeService> services, Map<String, Network> networks, Map<String, Map<String, Object>> volumes,
                   Map<String, SecretFile> secrets) {}

    record ComposeService(String image, List<String> command, Map<String, String> environment, List<String> secrets, List<String> volumes,
                          List<String> ports, Map<String, ServiceNetwork> networks, Map<String, Dependency> depends_on, Healthcheck healthcheck,
                          String stop_grace_period, Boolean read_only, List<String> tmpfs, Map<String, Ulimit> ulimits, String restart) {}

    record Healthcheck(List<String> test, String interval, String timeout, Integer retries, String start_period) {}

    record Dependency(String condition) {}

    record ServiceNetwork(String ipv4_address) {}

    record Network(Ipam ipam) {}

    record Ipam(List<IpamConfig> config) {}

    record IpamConfig(String subnet) {}

    record SecretFile(String file) {}

    record Ulimit(int soft, int hard) {}

    static Compose compose;
    static final List<String> KURZ_NODES = List.of("kurz-1", "kurz-2");

    @BeforeAll
    static void parse() throws IOException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        Object raw = new Yaml(options).load(Files.readString(DEPLOY.resolve("compose.yaml")));
        JsonNode tree = StrictYaml.MAPPER.valueToTree(raw);
        compose = StrictYaml.as(tree, Compose.class, "deploy/compose.yaml");
    }

    @Test
    void compose_hasTwoKurzNodesDatabaseCacheAndLoadBalancer() {
        assertThat(compose.services()).containsOnlyKeys("postgres", "redis", "kurz-1", "kurz-2", "lb");
        compose.services().forEach((name, s) -> {
            assertThat(s.healthcheck()).as("%s has a health check", name).isNotNull();
            assertThat(s.healthcheck().test()).as("%s health check", name).isNotEmpty();
            assertThat(s.restart()).as("%s restart policy", name).isNotNull();
            String image = defaultOf(s.image());
            assertThat(image).as("%s: image with a pinned tag", name).matches("[^:]+(:[^:]+)").doesNotEndWith(":latest");
            assertThat(s.volumes() == null ? List.<String>of() : s.volumes()).allSatisfy(v -> {
                String source = v.substring(0, v.indexOf(':'));
                if (!source.startsWith(".") && !source.startsWith("/")) assertThat(compose.volumes()).as("%s: volume %s", name, source).containsKey(source);
                else assertThat(DEPLOY.resolve(source)).as("%s: bind mount", name).exists();
            });
        });
        assertThat(compose.services().get("postgres").volumes()).anyMatch(v -> v.endsWith(":/var/lib/postgresql/data"));
        assertThat(compose.services().get("redis").volumes()).anyMatch(v -> v.endsWith(":/data"));
    }

    @Test
    void compose_kurzNodesUseTheProjectImageRealSettingsAndSecretFiles() throws IOException {
        for (String node : KURZ_NODES) {
            ComposeService s = compose.services().get(node);
            assertThat(defaultOf(s.image())).as("the image ./kurz image builds").isEqualTo("kurz:" + Containers.pomVersion(Settings.ROOT));
            Map<String, String> env = s.environment();
            assertThat(env.keySet()).allSatisfy(v -> assertThat(Settings.KNOWN).as("%s: a setting Kurz reads", node).contains(v));
            assertThat(env).containsKeys("KURZ_API_KEY_FILE", "KURZ_DATABASE_URL_FILE", "KURZ_REDIS_URL_FILE");
            for (String secret : Settings.SECRETS) assertThat(env).as("%s only as a file", secret).doesNotContainKey(secret);
            env.forEach((name, value) -> {
                if (!name.endsWith("_FILE")) return;
                assertThat(value).startsWith("/run/secrets/");
                String secret = value.substring("/run/secrets/".length());
                assertThat(s.secrets()).as("%s: %s mounted", node, secret).contains(secret);
                assertThat(compose.secrets()).containsKey(secret);
            });
            assertThat(s.depends_on()).containsOnlyKeys("postgres", "redis")
                    .allSatisfy((dep, d) -> assertThat(d.condition()).isEqualTo("service_healthy"));
            assertThat(String.join(" ", s.healthcheck().test())).contains("/health/ready");
            assertThat(s.ports()).as("%s is reached through the load balancer only", node).isNull();
            assertThat(s.read_only()).isTrue();
            // Native libraries are unpacked to /tmp and loaded from there: docker mounts tmpfs noexec unless told.
            assertThat(s.tmpfs()).singleElement().satisfies(t -> assertThat(t).startsWith("/tmp:").contains("exec").doesNotContain("noexec"));
            Duration stop = Settings.duration(s.stop_grace_period());
            Duration drain = Settings.duration(env.get("KURZ_SHUTDOWN_DRAIN"));
            Duration grace = Settings.duration(env.get("KURZ_SHUTDOWN_GRACE"));
            assertThat(drain).isPositive();
            assertThat(stop).as("stop_grace_period ≥ drain + 5 × grace").isGreaterThanOrEqualTo(drain.plus(grace.multipliedBy(5)));
            // The load balancer's X-Forwarded-For is believed, so clicks get the client's address.
            String lbAddress = compose.services().get("lb").networks().get("default").ipv4_address();
            assertThat(TrustedProxies.parse(env.get("KURZ_TRUSTED_PROXIES")).trusted(lbAddress)).isTrue();
        }
        assertThat(compose.services().get("kurz-1").environment()).isEqualTo(compose.services().get("kurz-2").environment());
    }

    @Test
    void compose_secretsAreMadeByTheScriptAndNeverCommitted() throws IOException {
        String script = Files.readString(DEPLOY.resolve("make-secrets.sh"));
        compose.secrets().forEach((name, secret) -> {
            assertThat(secret.file()).isEqualTo("./secrets/" + name);
            assertThat(script).as("make-secrets.sh writes %s", name).contains("write " + name + " ");
        });
        assertThat(script).contains("@postgres:5432/").contains("@redis:6379");
        assertThat(Files.readAllLines(DEPLOY.resolve("secrets/.gitignore"))).contains("*");
    }

    @Test
    void compose_loadBalancerPublishesPort8080AndChecksEveryNodeForReadiness() throws IOException {
        ComposeService lb = compose.services().get("lb");
        assertThat(lb.ports()).containsExactly("8080:8080");
        assertThat(lb.depends_on()).containsOnlyKeys(KURZ_NODES.toArray(String[]::new));
        String subnet = compose.networks().get("default").ipam().config().get(0).subnet();
        assertThat(TrustedProxies.parse(subnet).trusted(lb.networks().get("default").ipv4_address())).isTrue();
        String cfg = Files.readString(DEPLOY.resolve("haproxy.cfg"));
        for (String node : KURZ_NODES) assertThat(cfg).containsPattern("(?m)^\\s*server " + node + " " + node + ":8080\\b");
        assertThat(cfg).contains("http-check send meth GET uri /health/ready").contains("option forwardfor").contains("bind :8080");
    }

    /** {@code ${VAR:-default}} → default; anything else as it is. */
    static String defaultOf(String value) {
        Matcher m = Pattern.compile("\\$\\{[A-Z_]+:-([^}]+)}").matcher(value);
        return m.matches() ? m.group(1) : value;
    }
}
