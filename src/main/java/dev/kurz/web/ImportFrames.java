package dev.kurz.web;

import dev.kurz.transfer.ImportJob;
import io.vertx.core.json.JsonObject;

/** The live feed's {@code import} frames: {@code {"type":"import","job":{…as GET /api/v1/imports/{id}}}}. */
public final class ImportFrames {
    private ImportFrames() {}

    public static JsonObject of(ImportJob job) {
        return ImportRoutes.frame(job);
    }
}
