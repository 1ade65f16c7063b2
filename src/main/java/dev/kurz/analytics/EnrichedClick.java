package dev.kurz.analytics;

/**
 * A click after enrichment: what the rollups and the raw event table keep. {@code ip} is null,
 * anonymized or full according to KURZ_STORE_IP; {@code visitor} is a daily-salted hash.
 */
public record EnrichedClick(
        long linkId,
        String slug,
        long epochMillis,
        long visitor,
        boolean bot,
        boolean head,
        boolean counted,
        String country,
        String browser,
        String os,
        String device,
        String referrerHost,
        String ip,
        String userAgent) {}
