package dev.kurz.analytics;

/**
 * Everything enrichment says about a click except its link and time: who (a daily-salted
 * {@code visitor} hash, 0 for bots), with what (browser, OS, device, bot), from where (country,
 * referrer host) and what is kept of the request ({@code ip} per KURZ_STORE_IP, the user agent).
 * Repeated requests of one visitor share one instance, which is what makes enrichment, rollups and
 * the raw-click log cheap per click.
 */
public record Visit(
        long visitor,
        boolean bot,
        boolean head,
        String country,
        String browser,
        String os,
        String device,
        String referrerHost,
        String ip,
        String userAgent) {}
