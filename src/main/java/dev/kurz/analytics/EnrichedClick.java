package dev.kurz.analytics;

/**
 * A click after enrichment: a link, a time, and the {@link Visit} it came from (shared by the
 * clicks of one visitor). {@code counted} is true when the link's click counter was already moved
 * on the hot path. {@code target}: what a smart link served, null for a plain link.
 */
public record EnrichedClick(long linkId, String slug, long epochMillis, boolean counted, Visit visit, String target) {

    /** A click of a plain link (no target). */
    public EnrichedClick(long linkId, String slug, long epochMillis, boolean counted, Visit visit) {
        this(linkId, slug, epochMillis, counted, visit, null);
    }

    public EnrichedClick(long linkId, String slug, long epochMillis, long visitor, boolean bot, boolean head, boolean counted,
                         String country, String browser, String os, String device, String referrerHost, String ip,
                         String userAgent) {
        this(linkId, slug, epochMillis, counted, new Visit(visitor, bot, head, country, browser, os, device, referrerHost, ip, userAgent));
    }

    public long visitor() {
        return visit.visitor();
    }

    public boolean bot() {
        return visit.bot();
    }

    public boolean head() {
        return visit.head();
    }

    public String country() {
        return visit.country();
    }

    public String browser() {
        return visit.browser();
    }

    public String os() {
        return visit.os();
    }

    public String device() {
        return visit.device();
    }

    public String referrerHost() {
        return visit.referrerHost();
    }

    public String ip() {
        return visit.ip();
    }

    public String userAgent() {
        return visit.userAgent();
    }
}
