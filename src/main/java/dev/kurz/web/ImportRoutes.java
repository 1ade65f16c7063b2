package dev.kurz.web;

import dev.kurz.auth.Scope;
import dev.kurz.link.Link;
import dev.kurz.link.LinkService;
import dev.kurz.problem.ProblemException;
import dev.kurz.transfer.Csv;
import dev.kurz.transfer.ImportFormat;
import dev.kurz.transfer.ImportJob;
import dev.kurz.transfer.ImportJobs;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.ReadStream;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Imports and exports (issue 11). An import's body (the file itself, or the first file of a
 * multipart form) is streamed to a temporary file with its own size limit ({@code KURZ_IMPORT_MAX_BYTES},
 * not the API's 1 MiB), then queued as a job. Exports and dead letters are streamed page by page
 * from a virtual thread, waiting whenever the client reads slower than the database.
 */
final class ImportRoutes {
    /** The plain CSV columns of an export; an import of format kurz or csv reads them back. */
    static final List<String> EXPORT_COLUMNS = List.of("url", "slug", "title", "tags", "createdAt", "clicks", "expiresAt", "maxClicks",
            "redirectType", "forwardQuery");
    private static final int PAGE = 1000;

    private final ImportJobs imports;
    private final LinkService links;
    private final Blocking blocking;
    private final Executor executor;
    private final String base;

    ImportRoutes(ImportJobs imports, LinkService links, Blocking blocking, Executor executor, String base) {
        this.imports = imports;
        this.links = links;
        this.blocking = blocking;
        this.executor = executor;
        this.base = base;
    }

    /** Whether a request's body belongs to these routes rather than to the API's JSON body handler. */
    static boolean ownsBody(RoutingContext ctx) {
        return "/api/v1/imports".equals(ctx.request().path());
    }

    void mount(Router r) {
        r.post("/api/v1/imports").handler(ApiRoutes.scope(Scope.LINKS_WRITE, this::submit)).failureHandler(ctx -> {
            if (ctx.failure() instanceof ImportJobs.QueueFull full) {
                ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(full.retryAfterSeconds));
            }
            ctx.next();
        });
        r.get("/api/v1/imports/:id").handler(ApiRoutes.scope(Scope.LINKS_READ, ctx -> {
            Long visibleTo = Callers.linksVisibleTo(ctx);
            String id = ctx.pathParam("id");
            blocking.run(ctx, () -> imports.get(id).filter(j -> visible(j, visibleTo)).orElseThrow(() -> notFound(id)),
                    job -> ApiRoutes.json(ctx, 200, toJson(job)));
        }));
        r.delete("/api/v1/imports/:id").handler(ApiRoutes.scope(Scope.LINKS_WRITE, ctx -> {
            Long visibleTo = Callers.linksVisibleTo(ctx);
            String id = ctx.pathParam("id");
            blocking.run(ctx, () -> {
                ImportJob before = imports.get(id).filter(j -> visible(j, visibleTo)).orElseThrow(() -> notFound(id));
                ImportJob after = before.status().finished() ? before : imports.cancel(id).orElseThrow(() -> notFound(id));
                if (before.status().finished() || after.status() != ImportJob.Status.CANCELLED) {
                    throw new ProblemException("import-finished", "Import already finished", 409,
                            "Import " + id + " is " + after.status().label() + "; only a queued or running import can be cancelled");
                }
                return after;
            }, job -> ApiRoutes.json(ctx, 200, toJson(job)));
        }));
        r.get("/api/v1/imports/:id/failed").handler(ApiRoutes.scope(Scope.LINKS_READ, ctx -> {
            Long visibleTo = Callers.linksVisibleTo(ctx);
            String id = ctx.pathParam("id");
            blocking.run(ctx, () -> imports.get(id).filter(j -> visible(j, visibleTo)).orElseThrow(() -> notFound(id)), job -> {
                Out out = Out.start(ctx, "text/csv; charset=utf-8", "kurz-import-" + id + "-failed.csv");
                executor.execute(() -> out.run(() -> {
                    StringBuilder b = new StringBuilder();
                    Csv.line(b, List.of("row", "url", "slug", "title", "tags", "createdAt", "clicks", "reason"));
                    imports.failures(id, f -> {
                        b.append(f.row()).append(',').append(f.plainCsv()).append(',');
                        StringBuilder reason = new StringBuilder();
                        Csv.line(reason, List.of(f.reason()));
                        b.append(reason);
                        if (b.length() > 64 * 1024) {
                            out.write(b.toString());
                            b.setLength(0);
                        }
                    });
                    out.write(b.toString());
                }));
            });
        }));
        r.get("/api/v1/links/export").handler(ApiRoutes.scope(Scope.LINKS_READ, this::export));
    }

    private static boolean visible(ImportJob job, Long visibleTo) {
        return visibleTo == null || visibleTo.equals(job.createdBy());
    }

    private static ProblemException notFound(String id) {
        return new ProblemException("import-not-found", "Import not found", 404, "There is no import " + id);
    }

    // ---- import ----

    private void submit(RoutingContext ctx) {
        ImportFormat format = ImportFormat.of(ctx.request().getParam("format"));
        if (format == null) {
            throw ApiProblems.badRequest("format: must be one of " + Arrays.stream(ImportFormat.values()).map(ImportFormat::label).toList());
        }
        String conflictParam = ctx.request().getParam("onConflict");
        ImportJob.Conflict conflict = conflictParam == null ? ImportJob.Conflict.SKIP : ImportJob.Conflict.of(conflictParam);
        if (conflict == null) throw ApiProblems.badRequest("onConflict: must be skip, rename or fail");
        long max = imports.settings().maxBytes();
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && parse(length) > max) throw ApiProblems.payloadTooLarge(max);
        if (!ApiRoutes.hasBody(ctx.request())) throw ApiProblems.badRequest("The body must be the file to import (CSV or JSON), or a multipart form with it");
        Long by = Callers.keyId(ctx);
        // Full queue: refused before a byte of the body is read (it waits paused since authentication).
        blocking.run(ctx, () -> {
            imports.checkCapacity();
            return Files.createTempFile("kurz-import-", ".upload");
        }, path -> receive(ctx, path, max, format, conflict, by));
    }

    private void receive(RoutingContext ctx, Path path, long max, ImportFormat format, ImportJob.Conflict conflict, Long by) {
        var req = ctx.request();
        Context context = ctx.vertx().getOrCreateContext();
        ctx.vertx().fileSystem().open(path.toString(), new OpenOptions().setWrite(true).setTruncateExisting(true)).onComplete(opened -> {
            if (opened.failed()) {
                delete(path);
                ctx.fail(opened.cause());
                return;
            }
            AsyncFile file = opened.result();
            Promise<Long> received = Promise.promise();
            String type = String.valueOf(req.getHeader(HttpHeaders.CONTENT_TYPE)).toLowerCase(Locale.ROOT);
            if (type.startsWith("multipart/form-data")) {
                AtomicBoolean first = new AtomicBoolean(true);
                req.setExpectMultipart(true);
                req.uploadHandler(upload -> {
                    if (first.compareAndSet(true, false)) {
                        copy(upload, file, max, received);
                    } else {
                        upload.handler(b -> {});
                    }
                });
                req.endHandler(v -> {
                    if (first.get()) file.close().onComplete(x -> received.tryFail(ApiProblems.badRequest("The multipart form has no file")));
                });
                req.exceptionHandler(received::tryFail);
            } else {
                copy(req, file, max, received);
            }
            req.resume();
            received.future().onComplete(done -> {
                if (done.failed()) {
                    file.close();
                    delete(path);
                    ctx.fail(done.cause());
                    return;
                }
                // Not under the request's database deadline: storing a large file takes as long as it takes.
                executor.execute(() -> {
                    ImportJob job;
                    try {
                        job = imports.submit(path, format, conflict, by);
                    } catch (RuntimeException e) {
                        context.runOnContext(v -> ctx.fail(e));
                        return;
                    } finally {
                        delete(path);
                    }
                    context.runOnContext(v -> {
                        ctx.response().putHeader(HttpHeaders.LOCATION, "/api/v1/imports/" + job.id());
                        ApiRoutes.json(ctx, 202, toJson(job));
                    });
                });
            });
        });
    }

    /** The stream into the file, with backpressure; fails with 413 past {@code max} bytes. */
    private static void copy(ReadStream<Buffer> in, AsyncFile file, long max, Promise<Long> done) {
        long[] n = {0};
        in.handler(b -> {
            if (done.future().isComplete()) return;
            n[0] += b.length();
            if (n[0] > max) {
                done.tryFail(ApiProblems.payloadTooLarge(max));
                return;
            }
            file.write(b);
            if (file.writeQueueFull()) {
                in.pause();
                file.drainHandler(v -> in.resume());
            }
        });
        in.exceptionHandler(done::tryFail);
        in.endHandler(v -> file.close().onComplete(c -> {
            if (c.failed()) done.tryFail(c.cause());
            else done.tryComplete(n[0]);
        }));
    }

    private static long parse(String length) {
        try {
            return Long.parseLong(length.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void delete(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // a temporary file; the OS cleans its temp folder
        }
    }

    /** A job as the API shows it. */
    static JsonObject toJson(ImportJob j) {
        return new JsonObject()
                .put("id", j.id())
                .put("status", j.status().label())
                .put("format", j.format().label())
                .put("onConflict", j.onConflict().label())
                .put("sizeBytes", j.sizeBytes())
                .put("total", j.total())
                .put("processed", j.position())
                .put("imported", j.imported())
                .put("skipped", j.skipped())
                .put("failed", j.failed())
                .put("attempts", j.attempts())
                .put("error", j.error())
                .put("createdAt", j.createdAt().toString())
                .put("startedAt", j.startedAt() == null ? null : j.startedAt().toString())
                .put("finishedAt", j.finishedAt() == null ? null : j.finishedAt().toString());
    }

    /** A job as the API shows it, for the live feed's import frames. */
    public static JsonObject frame(ImportJob j) {
        return new JsonObject().put("type", "import").put("job", toJson(j));
    }

    // ---- export ----

    private void export(RoutingContext ctx) {
        String format = ctx.request().getParam("format", "csv").toLowerCase(Locale.ROOT);
        if (!format.equals("csv") && !format.equals("json")) throw ApiProblems.badRequest("format: must be csv or json");
        boolean csv = format.equals("csv");
        Long visibleTo = Callers.linksVisibleTo(ctx);
        blocking.run(ctx, () -> links.list(PAGE, null, null, null, visibleTo), first -> {
            Out out = Out.start(ctx, csv ? "text/csv; charset=utf-8" : "application/json", "kurz-links." + format);
            executor.execute(() -> out.run(() -> {
                LinkService.Page page = first;
                boolean any = false;
                StringBuilder b = new StringBuilder(256 * 1024);
                if (csv) Csv.line(b, EXPORT_COLUMNS);
                else b.append('[');
                while (true) {
                    for (Link l : page.items()) {
                        if (csv) {
                            Csv.line(b, Arrays.asList(l.url(), l.slug(), l.title(), String.join(",", l.tags()), l.createdAt().toString(),
                                    Long.toString(l.clicks()), l.expiresAt() == null ? null : l.expiresAt().toString(),
                                    l.maxClicks() == null ? null : l.maxClicks().toString(), Integer.toString(l.redirectType()),
                                    Boolean.toString(l.forwardQuery())));
                        } else {
                            b.append(any ? ",\n" : "\n").append(LinkJson.toJson(l, base).encode());
                        }
                        any = true;
                    }
                    out.write(b.toString());
                    b.setLength(0);
                    if (page.nextCursor() == null) break;
                    page = links.list(PAGE, page.nextCursor(), null, null, visibleTo);
                }
                if (!csv) out.write("\n]\n");
            }));
        });
    }

    /**
     * A streamed answer written from a virtual thread: each write waits until the response has
     * room again (or the client has gone, which ends the work), so nothing is held but one page.
     */
    static final class Out {
        private final RoutingContext ctx;
        private final Context context;
        private final HttpServerResponse resp;
        private volatile boolean gone;

        private Out(RoutingContext ctx) {
            this.ctx = ctx;
            this.context = ctx.vertx().getOrCreateContext();
            this.resp = ctx.response();
        }

        static Out start(RoutingContext ctx, String type, String filename) {
            Out out = new Out(ctx);
            out.resp.setChunked(true).setStatusCode(200).putHeader(HttpHeaders.CONTENT_TYPE, type)
                    .putHeader("Content-Disposition", "attachment; filename=\"" + filename + "\"");
            out.resp.closeHandler(v -> out.gone = true);
            return out;
        }

        void run(Runnable work) {
            try {
                work.run();
                context.runOnContext(v -> {
                    if (!resp.ended()) resp.end();
                });
            } catch (RuntimeException e) {
                // The status is sent already: cutting the connection is the only way to say the body is incomplete.
                context.runOnContext(v -> {
                    if (!gone) ctx.request().connection().close();
                });
                if (!(e instanceof Gone)) org.slf4j.LoggerFactory.getLogger(ImportRoutes.class).warn("stream of {} failed: {}",
                        ctx.request().path(), e.toString());
            }
        }

        void write(String s) {
            if (gone) throw new Gone();
            if (s.isEmpty()) return;
            CompletableFuture<Void> room = new CompletableFuture<>();
            Buffer buf = Buffer.buffer(s);
            context.runOnContext(v -> {
                if (gone) {
                    room.completeExceptionally(new Gone());
                    return;
                }
                resp.write(buf);
                if (resp.writeQueueFull()) {
                    resp.drainHandler(x -> room.complete(null));
                    resp.closeHandler(x -> {
                        gone = true;
                        room.completeExceptionally(new Gone());
                    });
                } else {
                    room.complete(null);
                }
            });
            try {
                room.get(5, TimeUnit.MINUTES);
            } catch (Exception e) {
                throw new Gone();
            }
        }

        static final class Gone extends RuntimeException {
            Gone() {
                super("the client went away", null, false, false);
            }
        }
    }
}
