package dev.kurz.analytics;

/**
 * Everything enrichment says about a click except its link and time: who (a daily-salted
 * {@code visitor} hash, 0 for bots), what the rollups count it under ({@link Traits}), and what is
 * kept of the request ({@code ip} per KURZ_STORE_IP, the user agent). Repeated requests of one
 * visitor share one instance, and visitors with the same traits share one {@code Traits}: that is
 * what keeps enrichment, rollups and the raw-click log cheap per click.
 */
public record Visit(long visitor, boolean head, Traits traits, String ip, String userAgent) {

    /** The rollup dimensions of a click: few distinct values, so instances are shared (interned). */
    public record Traits(boolean bot, String country, String browser, String os, String device, String referrerHost) {}

    public Visit(long visitor, boolean bot, boolean head, String country, String browser, String os, String device,
                 String referrerHost, String ip, String userAgent) {
        this(visitor, head, new Traits(bot, country, browser, os, device, referrerHost), ip, userAgent);
    }

    public boolean bot() {
        return traits.bot();
    }

    public String country() {
        return traits.country();
    }

    public String browser() {
        return traits.browser();
    }

    public String os() {
        return traits.os();
    }

    public String device() {
        return traits.device();
    }

    public String referrerHost() {
        return traits.referrerHost();
    }
}
