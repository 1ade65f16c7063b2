package dev.kurz.abuse;

import java.time.Instant;

/**
 * An abuse report: what it is about ({@code url} and/or {@code slug}), why, and who sent it
 * ({@code email} when given, the client address and request id as Kurz saw them).
 */
public record Report(long id, String url, String slug, String reason, String email, String clientIp, String requestId,
                     Instant createdAt) {}
