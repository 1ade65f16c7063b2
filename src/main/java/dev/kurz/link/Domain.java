package dev.kurz.link;

import java.time.Instant;

/**
 * A branded host links live on. {@code rootRedirect} answers {@code GET /}, {@code notFoundRedirect}
 * an unknown slug; either is null when the domain has none. The default domain (the host of
 * KURZ_BASE_URL) is not stored as one of these.
 */
public record Domain(String host, String rootRedirect, String notFoundRedirect, Instant createdAt) {}
