package dev.kurz.analytics;

import java.util.Locale;

/** What of the client's IP address the raw click table keeps (KURZ_STORE_IP). */
public enum IpStorage {
    /** Nothing: unique visitors come from the salted daily hash alone. The default. */
    NONE,
    /** IPv4 /24, IPv6 /48. */
    ANONYMIZED,
    FULL;

    public static IpStorage parse(String s) {
        return valueOf(s.strip().toUpperCase(Locale.ROOT));
    }

    /** What of {@code ip} this setting keeps: null, the anonymized network, or the address. */
    public String keep(String ip) {
        return switch (this) {
            case NONE -> null;
            case ANONYMIZED -> IpAddresses.anonymize(ip);
            case FULL -> ip;
        };
    }
}
