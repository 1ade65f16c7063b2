package dev.kurz.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * deploy/kubernetes, checked without a cluster: every manifest parsed strictly into fabric8's
 * typed models (the ServiceMonitor and kustomization files into typed records below), then the
 * rules that matter when Kubernetes runs Kurz: probes on the right paths and ports, non-root and a
 * read-only root file system, a grace period that covers preStop, drain and the shutdown steps,
 * selectors that match, the autoscaler aimed at the Deployment, and only real KURZ_* settings.
 */
@Tag("deploy")
class KubernetesManifestsTest {
    static final Path K8S = Settings.ROOT.resolve("deploy/kubernetes");
    static final Path BASE = K8S.resolve("base");
    static final Path SQLITE = K8S.resolve("overlays/single-node-sqlite");

    /** The kinds we ship, with the apiVersion and typed model each must parse into. */
    static final Map<String, Map.Entry<String, Class<?>>> KINDS = Map.of(
            "Deployment", Map.entry("apps/v1", Deployment.class),
            "StatefulSet", Map.entry("apps/v1", StatefulSet.class),
            "Service", Map.entry("v1", Service.class),
            "ConfigMap", Map.entry("v1", ConfigMap.class),
            "Secret", Map.entry("v1", Secret.class),
            "HorizontalPodAutoscaler", Map.entry("autoscaling/v2", HorizontalPodAutoscaler.class),
            "PodDisruptionBudget", Map.entry("policy/v1", PodDisruptionBudget.class),
            "NetworkPolicy", Map.entry("networking.k8s.io/v1", NetworkPolicy.class),
            "ServiceMonitor", Map.entry("monitoring.coreos.com/v1", ServiceMonitor.class));

    // The Prometheus Operator's ServiceMonitor, as far as we use it; anything else fails the parse.
    record ServiceMonitor(String apiVersion, String kind, ObjectMeta metadata, ServiceMonitorSpec spec) {}

    record ServiceMonitorSpec(LabelSelector selector, List<ScrapeEndpoint> endpoints) {}

    record ScrapeEndpoint(String port, String path, String interval, String scrapeTimeout) {}

    record Kustomization(String apiVersion, String kind, List<String> resources, List<Patch> patches, List<ImageOverride> images) {}

    record Patch(String patch, String path, PatchTarget target) {}

    record PatchTarget(String kind, String name) {}

    record ImageOverride(String name, String newName, String newTag) {}

    /** A strategic-merge delete patch: {@code $patch: delete} plus what it removes. */
    record DeletePatch(@JsonProperty("$patch") String patch, String apiVersion, String kind, ObjectMeta metadata) {}

    /** Every object of a kustomization directory, by kind and name. */
    record Manifests(Kustomization kustomization, Map<String, Object> byKindAndName) {
        <T> T get(Class<T> type, String name) {
            Object o = byKindAndName.get(type.getSimpleName() + "/" + name);
            assertThat(o).as("%s %s", type.getSimpleName(), name).isNotNull();
            return type.cast(o);
        }

        <T> List<T> all(Class<T> type) {
            return byKindAndName.values().stream().filter(type::isInstance).map(type::cast).toList();
        }
    }

    static Manifests base;
    static Manifests sqlite;

    @BeforeAll
    static void parse() throws IOException {
        base = load(BASE);
        sqlite = load(SQLITE);
    }

    /** Parses every YAML file of a directory strictly; the kustomization must list each one. */
    static Manifests load(Path dir) throws IOException {
        Kustomization k = StrictYaml.read(dir.resolve("kustomization.yaml"), Kustomization.class);
        assertThat(k.apiVersion()).isEqualTo("kustomize.config.k8s.io/v1beta1");
        assertThat(k.kind()).isEqualTo("Kustomization");
        List<String> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml") || n.endsWith(".yml"))
                    .filter(n -> !n.equals("kustomization.yaml")).sorted().toList();
        }
        List<String> localResources = k.resources().stream().filter(r -> !r.startsWith("../")).sorted().toList();
        assertThat(localResources).as("%s/kustomization.yaml lists every manifest in the folder, and only those", dir).isEqualTo(files);
        for (String r : k.resources()) assertThat(dir.resolve(r)).as("resource %s", r).exists();

        Map<String, Object> objects = new LinkedHashMap<>();
        for (String f : files) {
            JsonNode tree = StrictYaml.tree(dir.resolve(f));
            String kind = tree.path("kind").asText();
            assertThat(KINDS).as("%s: kind %s", f, kind).containsKey(kind);
            assertThat(tree.path("apiVersion").asText()).as("%s: apiVersion of %s", f, kind).isEqualTo(KINDS.get(kind).getKey());
            Object parsed = StrictYaml.as(tree, KINDS.get(kind).getValue(), dir.resolve(f).toString());
            Object previous = objects.put(kind + "/" + tree.path("metadata").path("name").asText(), parsed);
            assertThat(previous).as("%s: a second %s of that name", f, kind).isNull();
        }
        return new Manifests(k, objects);
    }

    // ---- the strict parse itself

    @Test
    void strictParse_refusesUnknownAndDuplicateFields() {
        String typo = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {replicas: 1, replica: 2}\n";
        assertThatThrownBy(() -> StrictYaml.read(typo, Deployment.class, "typo")).hasMessageContaining("replica");
        String misplaced = "apiVersion: v1\nkind: Service\nmetadata: {name: x, selector: {a: b}}\n";
        assertThatThrownBy(() -> StrictYaml.read(misplaced, Service.class, "misplaced")).hasMessageContaining("selector");
        String twice = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {A: '1', A: '2'}\n";
        assertThatThrownBy(() -> StrictYaml.read(twice, ConfigMap.class, "twice")).hasMessageContaining("A");
    }

    // ---- base: several nodes over PostgreSQL and Redis

    @Test
    void base_deploymentRunsKurzAsTheServiceNeedsIt() {
        Deployment d = base.get(Deployment.class, "kurz");
        assertThat(d.getSpec().getSelector().getMatchLabels()).isEqualTo(d.getSpec().getTemplate().getMetadata().getLabels());
        assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable()).isEqualTo(new IntOrString(0));
        checkPod(d.getSpec().getTemplate(), base);
        Map<String, String> env = env(d.getSpec().getTemplate(), base);
        assertThat(env).containsKeys("KURZ_DATABASE_URL_FILE", "KURZ_REDIS_URL_FILE", "KURZ_API_KEY_FILE");
        assertThat(d.getSpec().getTemplate().getSpec().getVolumes()).anySatisfy(v -> {
            assertThat(v.getName()).isEqualTo(mountAt(d.getSpec().getTemplate(), "/data").getName());
            assertThat(v.getEmptyDir()).as("/data is writable scratch: the root file system is read-only").isNotNull();
        });
    }

    @Test
    void base_serviceExposesHttpAndManagementOfThePods() {
        Service s = base.get(Service.class, "kurz");
        Deployment d = base.get(Deployment.class, "kurz");
        assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(s.getSpec().getSelector());
        Container c = kurz(d.getSpec().getTemplate());
        assertThat(s.getSpec().getPorts()).extracting(ServicePort::getName).containsExactlyInAnyOrder("http", "management");
        for (ServicePort p : s.getSpec().getPorts()) {
            assertThat(containerPort(c, p.getTargetPort())).as("Service port %s targets a container port", p.getName()).isNotNull();
        }
    }

    @Test
    void base_autoscalerTargetsTheDeploymentAndKeepsTwo() {
        HorizontalPodAutoscaler h = base.get(HorizontalPodAutoscaler.class, "kurz");
        assertThat(h.getSpec().getScaleTargetRef().getApiVersion()).isEqualTo("apps/v1");
        assertThat(h.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
        assertThat(base.get(Deployment.class, h.getSpec().getScaleTargetRef().getName())).isNotNull();
        assertThat(h.getSpec().getMinReplicas()).as("two nodes, so the PDB can let one go").isGreaterThanOrEqualTo(2);
        assertThat(h.getSpec().getMaxReplicas()).isGreaterThan(h.getSpec().getMinReplicas());
        assertThat(h.getSpec().getMetrics()).isNotEmpty().allSatisfy(m -> assertThat(m.getResource().getName()).isEqualTo("cpu"));
        // CPU utilization is measured against requests: without one the HPA cannot work.
        assertThat(kurz(base.get(Deployment.class, "kurz").getSpec().getTemplate()).getResources().getRequests()).containsKey("cpu");
    }

    @Test
    void base_disruptionBudgetNetworkPolicyAndServiceMonitorSelectThePods() {
        Map<String, String> pods = base.get(Deployment.class, "kurz").getSpec().getTemplate().getMetadata().getLabels();
        PodDisruptionBudget pdb = base.get(PodDisruptionBudget.class, "kurz");
        assertThat(pods).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
        assertThat(pdb.getSpec().getSelector().getMatchExpressions()).isEmpty();
        assertThat(pdb.getSpec().getMaxUnavailable()).isEqualTo(new IntOrString(1));

        NetworkPolicy np = base.get(NetworkPolicy.class, "kurz");
        assertThat(pods).containsAllEntriesOf(np.getSpec().getPodSelector().getMatchLabels());
        assertThat(np.getSpec().getPolicyTypes()).contains("Ingress", "Egress");
        assertThat(np.getSpec().getIngress()).flatMap(r -> r.getPorts()).extracting(p -> p.getPort().getStrVal())
                .contains("http", "management");
        assertThat(np.getSpec().getEgress()).flatMap(r -> r.getPorts()).extracting(p -> p.getPort().getIntVal()).contains(53, 5432, 6379);

        ServiceMonitor sm = base.get(ServiceMonitor.class, "kurz");
        Service svc = base.get(Service.class, "kurz");
        assertThat(svc.getMetadata().getLabels()).containsAllEntriesOf(sm.spec().selector().getMatchLabels());
        assertThat(sm.spec().endpoints()).singleElement().satisfies(e -> {
            assertThat(e.path()).isEqualTo("/metrics");
            ServicePort port = svc.getSpec().getPorts().stream().filter(p -> p.getName().equals(e.port())).findFirst().orElseThrow();
            ContainerPort target = containerPort(kurz(base.get(Deployment.class, "kurz").getSpec().getTemplate()), port.getTargetPort());
            String managementPort = base.get(ConfigMap.class, "kurz").getData().get("KURZ_MANAGEMENT_PORT");
            assertThat(target.getContainerPort()).as("scraped port is KURZ_MANAGEMENT_PORT").isEqualTo(Integer.parseInt(managementPort));
        });
    }

    @Test
    void base_secretPlaceholdersCannotBeDeployedAsTheyAre() {
        // The placeholder admin key must stop the start, so nobody runs with a key from the repository.
        String placeholder = base.get(Secret.class, "kurz").getStringData().get("api-key");
        assertThatThrownBy(() -> dev.kurz.config.KurzConfig.from(new dev.kurz.config.Env(Map.of("KURZ_API_KEY", placeholder))))
                .isInstanceOf(dev.kurz.config.ConfigException.class).hasMessageContaining("too weak");
    }

    @Test
    void base_imageIsPinnedToTheProjectVersion() throws IOException {
        assertThat(base.kustomization().images()).singleElement().satisfies(i -> {
            assertThat(i.name()).isEqualTo(kurz(base.get(Deployment.class, "kurz").getSpec().getTemplate()).getImage());
            assertThat(i.newTag()).isEqualTo(Containers.pomVersion(Settings.ROOT)).isNotEqualTo("latest");
        });
    }

    // ---- overlay: one node on SQLite

    @Test
    void sqlite_overlayReplacesTheDeploymentWithOneStatefulNode() throws IOException {
        assertThat(sqlite.kustomization().resources()).contains("../../base");
        List<String> deleted = new ArrayList<>();
        for (Patch p : sqlite.kustomization().patches()) {
            if (p.target() != null) {
                assertThat(base.byKindAndName()).as("patch target").containsKey(p.target().kind() + "/" + p.target().name());
                continue;
            }
            DeletePatch d = StrictYaml.read(p.patch(), DeletePatch.class, "delete patch");
            assertThat(d.patch()).isEqualTo("delete");
            assertThat(base.byKindAndName()).containsKey(d.kind() + "/" + d.metadata().getName());
            deleted.add(d.kind() + "/" + d.metadata().getName());
        }
        assertThat(deleted).as("no Deployment (a second writer) and no autoscaler")
                .containsExactlyInAnyOrder("Deployment/kurz", "HorizontalPodAutoscaler/kurz");

        StatefulSet s = sqlite.get(StatefulSet.class, "kurz");
        assertThat(s.getSpec().getReplicas()).isEqualTo(1);
        assertThat(s.getSpec().getPodManagementPolicy()).isEqualTo("OrderedReady");
        assertThat(s.getSpec().getSelector().getMatchLabels()).isEqualTo(s.getSpec().getTemplate().getMetadata().getLabels());
        Service headless = sqlite.get(Service.class, s.getSpec().getServiceName());
        assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
        checkPod(s.getSpec().getTemplate(), base);

        Map<String, String> env = env(s.getSpec().getTemplate(), base);
        assertThat(env).doesNotContainKeys("KURZ_DATABASE_URL", "KURZ_DATABASE_URL_FILE", "KURZ_REDIS_URL", "KURZ_REDIS_URL_FILE");
        String dataDir = env.get("KURZ_DATA_DIR");
        assertThat(dataDir).isEqualTo("/data");
        VolumeMount data = mountAt(s.getSpec().getTemplate(), dataDir);
        assertThat(s.getSpec().getVolumeClaimTemplates()).singleElement().satisfies(pvc -> {
            assertThat(pvc.getMetadata().getName()).isEqualTo(data.getName());
            assertThat(pvc.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
            assertThat(pvc.getSpec().getResources().getRequests()).containsKey("storage");
        });
        // The base's budget and policy select the StatefulSet's pod as well.
        assertThat(s.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(base.get(PodDisruptionBudget.class, "kurz").getSpec().getSelector().getMatchLabels())
                .containsAllEntriesOf(base.get(Service.class, "kurz").getSpec().getSelector());
    }

    // ---- rules for any pod running Kurz

    static void checkPod(PodTemplateSpec pod, Manifests config) {
        Container c = kurz(pod);
        var spec = pod.getSpec();
        assertThat(containerPort(c, new IntOrString("http")).getContainerPort()).isEqualTo(8080);
        assertThat(containerPort(c, new IntOrString("management")).getContainerPort()).isEqualTo(9090);

        checkProbe(c, c.getStartupProbe(), "/health/startup", "startup");
        checkProbe(c, c.getLivenessProbe(), "/health/live", "liveness");
        checkProbe(c, c.getReadinessProbe(), "/health/ready", "readiness");
        assertThat(c.getStartupProbe().getPeriodSeconds() * c.getStartupProbe().getFailureThreshold())
                .as("startup probe allows at least a minute (PostgreSQL migrations, the 15 s database wait)").isGreaterThanOrEqualTo(60);

        Map<String, Quantity> requests = c.getResources().getRequests();
        assertThat(requests).containsKeys("cpu", "memory");
        assertThat(c.getResources().getLimits()).containsKey("memory");

        assertThat(spec.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(spec.getSecurityContext().getRunAsUser()).isNotNull().isNotZero();
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).contains("ALL");
        VolumeMount tmp = mountAt(pod, "/tmp");
        assertThat(volume(pod, tmp.getName()).getEmptyDir()).as("/tmp is an emptyDir").isNotNull();

        // SIGTERM: the pod leaves the endpoints (preStop), Kurz drains, then each shutdown step may
        // take KURZ_SHUTDOWN_GRACE (five of them in the worst case, OPERATIONS.md).
        Map<String, String> env = env(pod, config);
        long preStop = preStopSeconds(c);
        Duration drain = Settings.duration(env.getOrDefault("KURZ_SHUTDOWN_DRAIN", "0"));
        Duration grace = Settings.duration(env.getOrDefault("KURZ_SHUTDOWN_GRACE", "10s"));
        assertThat(drain).as("KURZ_SHUTDOWN_DRAIN set").isPositive();
        assertThat(spec.getTerminationGracePeriodSeconds()).as("terminationGracePeriodSeconds ≥ preStop + drain + 5 × grace")
                .isGreaterThanOrEqualTo(preStop + drain.toSeconds() + 5 * grace.toSeconds());

        // Settings: only real ones; secrets only as files from the mounted Secret.
        assertThat(Settings.KNOWN).as("KURZ_* settings Kurz reads").contains("KURZ_PORT", "KURZ_API_KEY_FILE");
        assertThat(env.keySet()).allSatisfy(name -> assertThat(Settings.KNOWN).as("a setting Kurz reads").contains(name));
        for (String secret : Settings.SECRETS) {
            assertThat(env).as("%s only as a file", secret).doesNotContainKey(secret);
        }
        Secret secret = config.get(Secret.class, "kurz");
        env.forEach((name, value) -> {
            if (!name.endsWith("_FILE")) return;
            VolumeMount m = c.getVolumeMounts().stream().filter(v -> value.startsWith(v.getMountPath() + "/")).findFirst()
                    .orElseThrow(() -> new AssertionError(name + "=" + value + " is not on a mounted volume"));
            assertThat(m.getReadOnly()).isTrue();
            Volume v = volume(pod, m.getName());
            assertThat(v.getSecret().getSecretName()).isEqualTo(secret.getMetadata().getName());
            assertThat(secret.getStringData()).as("%s names a key of the Secret", name).containsKey(value.substring(m.getMountPath().length() + 1));
            assertThat(v.getSecret().getDefaultMode() & 0040).as("the secret files are readable by the pod's group (fsGroup)").isNotZero();
        });
    }

    static void checkProbe(Container c, Probe probe, String path, String what) {
        assertThat(probe).as("%s probe", what).isNotNull();
        HTTPGetAction get = probe.getHttpGet();
        assertThat(get).as("%s probe is an HTTP GET", what).isNotNull();
        assertThat(get.getPath()).as("%s probe path", what).isEqualTo(path);
        assertThat(containerPort(c, get.getPort()).getContainerPort()).as("%s probe on the HTTP port", what).isEqualTo(8080);
    }

    static long preStopSeconds(Container c) {
        var preStop = c.getLifecycle().getPreStop();
        if (preStop.getSleep() != null) return preStop.getSleep().getSeconds();
        List<String> cmd = preStop.getExec().getCommand();
        assertThat(cmd.get(0)).endsWith("sleep");
        return Long.parseLong(cmd.get(1));
    }

    /** The container's environment as Kubernetes builds it: ConfigMaps from envFrom, then env. */
    static Map<String, String> env(PodTemplateSpec pod, Manifests config) {
        Container c = kurz(pod);
        Map<String, String> env = new HashMap<>();
        c.getEnvFrom().forEach(from -> env.putAll(config.get(ConfigMap.class, from.getConfigMapRef().getName()).getData()));
        for (EnvVar e : c.getEnv()) env.put(e.getName(), e.getValue());
        return env;
    }

    static Container kurz(PodTemplateSpec pod) {
        assertThat(pod.getSpec().getContainers()).extracting(Container::getName).containsExactly("kurz");
        return pod.getSpec().getContainers().get(0);
    }

    static ContainerPort containerPort(Container c, IntOrString port) {
        return c.getPorts().stream()
                .filter(p -> port.getStrVal() != null ? port.getStrVal().equals(p.getName()) : port.getIntVal().equals(p.getContainerPort()))
                .findFirst().orElseThrow(() -> new AssertionError("no container port " + port));
    }

    static VolumeMount mountAt(PodTemplateSpec pod, String path) {
        return kurz(pod).getVolumeMounts().stream().filter(m -> m.getMountPath().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError("nothing mounted at " + path));
    }

    static Volume volume(PodTemplateSpec pod, String name) {
        return pod.getSpec().getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }
}
