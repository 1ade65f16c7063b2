package dev.kurz.ratelimit;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The bucket key of a client address. IPv4 addresses are their own key; an IPv6 address counts
 * by its /64, because one host (or one home) usually holds a whole /64 and could otherwise
 * start afresh with every address in it.
 */
public final class AddressKeys {
    private AddressKeys() {}

    public static String of(String ip) {
        if (ip == null || ip.indexOf(':') < 0) return ip;
        try {
            InetAddress a = InetAddress.getByName(ip); // a literal with ':' is parsed, never looked up
            if (!(a instanceof Inet6Address)) return a.getHostAddress(); // IPv4-mapped: the IPv4 address
            byte[] b = a.getAddress();
            StringBuilder sb = new StringBuilder(24);
            for (int i = 0; i < 8; i += 2) {
                sb.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff))).append(':');
            }
            return sb.append(":/64").toString();
        } catch (UnknownHostException | SecurityException e) {
            return ip;
        }
    }
}
