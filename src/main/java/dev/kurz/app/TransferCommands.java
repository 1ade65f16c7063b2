package dev.kurz.app;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kurz import} and {@code kurz export}: clients of a running Kurz over its HTTP API (the
 * node keeps its data-directory lock; these never open the database), with progress on stderr.
 */
final class TransferCommands {
    private TransferCommands() {}

    /** Where the node is and which key to use: options first, then KURZ_URL, KURZ_BASE_URL and KURZ_API_KEY. */
    abstract static class Remote {
        @Option(names = "--url", description = "Kurz's address (default: KURZ_URL, else KURZ_BASE_URL, else http://127.0.0.1:8080).")
        String url;

        @Option(names = "--key", description = "An API key (default: KURZ_API_KEY).")
        String key;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
        boolean help;

        final PrintStream out;
        final PrintStream err;
        final Map<String, String> env;
        final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

        Remote(PrintStream out, PrintStream err, Map<String, String> env) {
            this.out = out;
            this.err = err;
            this.env = env;
        }

        String base() {
            String u = url != null ? url : env.getOrDefault("KURZ_URL", env.getOrDefault("KURZ_BASE_URL", "http://127.0.0.1:8080"));
            return u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
        }

        HttpRequest.Builder request(String path) {
            String k = key != null ? key : env.get("KURZ_API_KEY");
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path));
            if (k != null) b.header("X-Api-Key", k);
            return b;
        }

        /** A refusal as one line: the problem's detail when there is one. */
        int refused(int status, String body) {
            String detail = body;
            try {
                JsonObject p = new JsonObject(body);
                detail = p.getString("detail", p.getString("title", body));
            } catch (RuntimeException notJson) {
                // the body as it is
            }
            err.println("kurz: " + status + " " + detail);
            return 1;
        }
    }

    @Command(name = "import", description = "Import links from a file into a running Kurz, with a progress bar on stderr.")
    static final class ImportCommand extends Remote implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "The file to import (CSV or JSON).")
        Path file;

        @Option(names = "--format", required = true, description = "kurz, csv, bitly, yourls, shlink or kutt.")
        String format;

        @Option(names = "--on-conflict", defaultValue = "skip", description = "A taken slug: skip, rename or fail (default: ${DEFAULT-VALUE}).")
        String onConflict;

        @Option(names = "--failed", paramLabel = "OUT", description = "Write the rows that failed, with their reasons, to OUT (CSV).")
        Path failed;

        ImportCommand(PrintStream out, PrintStream err, Map<String, String> env) {
            super(out, err, env);
        }

        @Override
        public Integer call() throws Exception {
            if (!Files.isReadable(file)) {
                err.println("kurz: cannot read " + file);
                return 2;
            }
            HttpResponse<String> r = http.send(request("/api/v1/imports?format=" + format + "&onConflict=" + onConflict)
                    .header("Content-Type", format.equals("kutt") ? "application/json" : "text/csv")
                    .POST(HttpRequest.BodyPublishers.ofFile(file)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 202) return refused(r.statusCode(), r.body());
            String id = new JsonObject(r.body()).getString("id");
            err.println("import " + id + " queued");
            JsonObject job;
            while (true) {
                HttpResponse<String> s = http.send(request("/api/v1/imports/" + id).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (s.statusCode() != 200) return refused(s.statusCode(), s.body());
                job = new JsonObject(s.body());
                err.print("\r" + bar(job));
                String status = job.getString("status");
                if (!status.equals("queued") && !status.equals("running")) break;
                Thread.sleep(250);
            }
            err.println();
            out.println(job.encode());
            if (failed != null && job.getLong("failed", 0L) > 0) {
                HttpResponse<Path> f = http.send(request("/api/v1/imports/" + id + "/failed").GET().build(), HttpResponse.BodyHandlers.ofFile(failed));
                if (f.statusCode() == 200) err.println(job.getLong("failed") + " failed rows, with their reasons, in " + failed);
            }
            return job.getString("status").equals("done") ? 0 : 1;
        }

        /** {@code [#######---------]  43%  430,000/1,000,000 rows  12 failed  running}. */
        static String bar(JsonObject job) {
            long total = job.getLong("total") == null ? 0 : job.getLong("total");
            long done = job.getLong("processed", 0L);
            int width = 30;
            int filled = total == 0 ? 0 : (int) Math.min(width, done * width / total);
            String pct = total == 0 ? "  ?%" : String.format("%3d%%", done * 100 / total);
            return "[" + "#".repeat(filled) + "-".repeat(width - filled) + "] " + pct + String.format("  %,d/%s rows  %,d failed  %s   ",
                    done, total == 0 ? "?" : String.format("%,d", total), job.getLong("failed", 0L), job.getString("status"));
        }
    }

    @Command(name = "export", description = "Export every link of a running Kurz (with tags, settings and clicks) to stdout or a file.")
    static final class ExportCommand extends Remote implements Callable<Integer> {
        @Option(names = "--format", defaultValue = "csv", description = "csv or json (default: ${DEFAULT-VALUE}).")
        String format;

        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of stdout.")
        Path output;

        ExportCommand(PrintStream out, PrintStream err, Map<String, String> env) {
            super(out, err, env);
        }

        @Override
        public Integer call() throws Exception {
            HttpResponse<InputStream> r = http.send(request("/api/v1/links/export?format=" + format).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() != 200) {
                try (InputStream in = r.body()) {
                    return refused(r.statusCode(), new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
                }
            }
            long bytes = 0;
            long shown = 0;
            OutputStream o = output == null ? out : Files.newOutputStream(output);
            try (InputStream in = r.body()) {
                byte[] buf = new byte[64 * 1024];
                int n;
                while ((n = in.read(buf)) > 0) {
                    o.write(buf, 0, n);
                    bytes += n;
                    if (bytes - shown > 1024 * 1024) {
                        shown = bytes;
                        err.printf("\rexported %,d MB", bytes / (1024 * 1024));
                    }
                }
                o.flush();
            } catch (IOException e) {
                if (output != null) o.close();
                err.println();
                err.println("kurz: the export broke off after " + bytes + " bytes: " + e.getMessage());
                return 1;
            }
            if (output != null) o.close(); // stdout stays open
            err.printf("\rexported %,d bytes%s%n", bytes, output == null ? "" : " to " + output);
            return 0;
        }
    }
}
