package dev.kurz.web;

import dev.kurz.link.LinkBlock;
import dev.kurz.problem.ProblemException;
import io.vertx.core.json.JsonObject;

/** The abuse feature's JSON and problems: a link's block, the 410 of a blocked link. */
final class AbuseJson {
    private AbuseJson() {}

    /** {@code {"reason", "source": "blocklist"|"admin", "at"}}, or null when the link is not blocked. */
    static JsonObject block(LinkBlock b) {
        return b == null ? null : new JsonObject().put("reason", b.reason()).put("source", b.source()).put("at", b.at().toString());
    }

    static ProblemException linkBlocked(String slug) {
        return new ProblemException("link-blocked", "Link disabled", 410,
                "The link '" + slug + "' was disabled because its destination was reported or listed as unsafe");
    }
}
