package dev.kurz.link;

import java.time.Instant;

/**
 * Why a link no longer redirects: an admin blocked it by hand ({@link #ADMIN}, stored with the
 * link), or its destination is on a blocklist ({@link #BLOCKLIST}, decided from the current list).
 */
public record LinkBlock(String reason, String source, Instant at) {
    public static final String ADMIN = "admin";
    public static final String BLOCKLIST = "blocklist";

    public static LinkBlock admin(String reason, Instant at) {
        return new LinkBlock(reason, ADMIN, at);
    }
}
