package dev.kurz.web;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The methods each path answers, read from the router's own routes (filters on {@code /x/*} and
 * routes for any method left out), for the {@code Allow} header of a 405 and to tell a 405 from a 404.
 */
final class Endpoints {
    private record Endpoint(String template, Pattern path, List<HttpMethod> methods) {}

    private final Router router;
    private volatile List<Endpoint> endpoints;

    Endpoints(Router router) {
        this.router = router;
    }

    /** "GET, PATCH, DELETE" for a path some route serves; empty when none does. */
    String allowed(String path) {
        TreeSet<String> out = new TreeSet<>();
        for (Endpoint e : endpoints()) {
            if (e.path.matcher(path).matches()) e.methods.forEach(m -> out.add(m.name()));
        }
        if (out.contains("GET")) out.add("HEAD");
        return String.join(", ", out);
    }

    /** The route template serving a path ({@code /api/v1/links/:slug}), or null when no route does: a bounded label for metrics and spans. */
    String routeOf(String path) {
        if (path == null) return null;
        for (Endpoint e : endpoints()) {
            if (e.path.matcher(path).matches()) return e.template;
        }
        return null;
    }

    private List<Endpoint> endpoints() {
        List<Endpoint> e = endpoints;
        if (e == null) {
            e = router.getRoutes().stream()
                    .filter(r -> isTemplate(path(r)) && r.methods() != null && !r.methods().isEmpty())
                    .map(r -> new Endpoint(path(r), template(path(r)), List.copyOf(r.methods())))
                    .toList();
            endpoints = e;
        }
        return e;
    }

    /** The path as written ({@code /api/v1/links/:slug}); vert.x keeps templates with parameters only as the name. */
    private static String path(Route r) {
        return r.getPath() != null ? r.getPath() : r.getName();
    }

    private static boolean isTemplate(String p) {
        return p != null && p.startsWith("/") && !p.endsWith("*") && p.chars().noneMatch(c -> "()[]{}|\\^$+?".indexOf(c) >= 0);
    }

    private static Pattern template(String path) {
        StringBuilder re = new StringBuilder();
        for (String part : path.split("/", -1)) {
            if (!re.isEmpty() || !part.isEmpty()) re.append('/');
            re.append(part.startsWith(":") ? "[^/]+" : Pattern.quote(part));
        }
        return Pattern.compile(re.toString());
    }
}
