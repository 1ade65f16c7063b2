package dev.kurz.abuse;

import dev.kurz.link.Hosts;
import java.net.InetAddress;

/** {@link PrivateHosts} for features outside this package (webhook receivers, health checks). */
public final class PrivateAddresses {
    private PrivateAddresses() {}

    /** Why the canonical host is not on the public internet, or null when it is (no DNS look-up). */
    public static String why(String canonicalHost) {
        return PrivateHosts.why(canonicalHost);
    }

    /** Why a resolved address is not on the public internet, or null when it is. */
    public static String why(InetAddress address) {
        String host = address.getHostAddress();
        int zone = host.indexOf('%');
        if (zone >= 0) host = host.substring(0, zone);
        return PrivateHosts.why(Hosts.canonical(host.indexOf(':') >= 0 ? "[" + host + "]" : host));
    }
}
