package dev.kurz.abuse;

import dev.kurz.link.Hosts;
import java.util.Set;

/**
 * Hosts that are not on the public internet: loopback, private, link-local, CGNAT, unspecified,
 * multicast, broadcast and reserved addresses, cloud metadata services, and names that only a
 * local resolver answers ({@code localhost}, {@code *.internal}, single-label names).
 *
 * <p>It judges the canonical host ({@link Hosts#canonical}), so {@code 2130706433},
 * {@code 0x7f000001}, {@code 0177.0.0.1} and {@code 127.1} are all seen as {@code 127.0.0.1}, and
 * IPv6 forms that carry an IPv4 address (mapped {@code ::ffff:0:0/96}, compatible {@code ::/96},
 * NAT64 {@code 64:ff9b::/96}, 6to4 {@code 2002::/16}, Teredo) are judged by that address. It makes
 * no DNS lookups: a public name that resolves to a private address (e.g. {@code 127.0.0.1.nip.io})
 * passes.
 */
final class PrivateHosts {
    /** Top-level names reserved or conventionally used inside private networks. */
    private static final Set<String> LOCAL_SUFFIXES = Set.of(
            "localhost", "local", "localdomain", "internal", "intranet", "lan", "home", "corp", "home.arpa");
    private static final Set<String> METADATA_NAMES = Set.of("metadata.google.internal", "metadata", "instance-data");

    private PrivateHosts() {}

    /** Why the canonical host is not a public destination, or null when it is. */
    static String why(String host) {
        byte[] a = Hosts.address(host);
        if (a == null) return whyName(host);
        String why = a.length == 4 ? whyV4(v4(a, 0)) : whyV6(a);
        return why == null ? null : host + " is " + why;
    }

    /**
     * Whether the canonical host reaches the machine itself: {@code localhost} names, 127.0.0.0/8,
     * {@code ::1}, and the unspecified addresses, which many systems route to it too (also in
     * IPv6 forms that carry IPv4).
     */
    static boolean isLocalMachine(String host) {
        if (host.equals("localhost") || host.endsWith(".localhost")) return true;
        byte[] a = Hosts.address(host);
        if (a == null) return false;
        if (a.length == 4) return (a[0] & 0xFF) == 127 || v4(a, 0) == 0;
        boolean zero80 = true;
        for (int i = 0; i < 10; i++) zero80 &= a[i] == 0;
        boolean mappedOrCompatible = zero80 && ((a[10] == 0 && a[11] == 0) || ((a[10] & 0xFF) == 0xFF && (a[11] & 0xFF) == 0xFF));
        return mappedOrCompatible && ((a[12] & 0xFF) == 127 || v4(a, 12) == 0 || v4(a, 12) == 1 && a[10] == 0);
    }

    private static String whyName(String host) {
        if (METADATA_NAMES.contains(host)) return host + " is a cloud metadata service";
        if (host.indexOf('.') < 0) return host + " is a single-label name, which only a local network resolves";
        for (String suffix : LOCAL_SUFFIXES) {
            if (host.equals(suffix) || host.endsWith("." + suffix)) {
                return host + " is a name under ." + suffix + ", which only a local network resolves";
            }
        }
        return null;
    }

    private static int v4(byte[] a, int offset) {
        return ((a[offset] & 0xFF) << 24) | ((a[offset + 1] & 0xFF) << 16) | ((a[offset + 2] & 0xFF) << 8) | (a[offset + 3] & 0xFF);
    }

    private static boolean in(int ip, int net, int bits) {
        int mask = bits == 0 ? 0 : -1 << (32 - bits);
        return (ip & mask) == (net & mask);
    }

    private static int ip(int a, int b, int c, int d) {
        return (a << 24) | (b << 16) | (c << 8) | d;
    }

    static String whyV4(int ip) {
        if (ip == ip(169, 254, 169, 254) || ip == ip(169, 254, 170, 2) || ip == ip(100, 100, 100, 200)) {
            return "a cloud metadata service address";
        }
        if (ip == 0) return "the unspecified address";
        if (ip == -1) return "the broadcast address";
        if (in(ip, ip(127, 0, 0, 0), 8)) return "a loopback address";
        if (in(ip, ip(0, 0, 0, 0), 8)) return "a 'this network' address (0.0.0.0/8)";
        if (in(ip, ip(10, 0, 0, 0), 8) || in(ip, ip(172, 16, 0, 0), 12) || in(ip, ip(192, 168, 0, 0), 16)) {
            return "a private address (RFC 1918)";
        }
        if (in(ip, ip(100, 64, 0, 0), 10)) return "a carrier-grade NAT address (100.64.0.0/10)";
        if (in(ip, ip(169, 254, 0, 0), 16)) return "a link-local address";
        if (in(ip, ip(224, 0, 0, 0), 4)) return "a multicast address";
        if (in(ip, ip(240, 0, 0, 0), 4)) return "a reserved address (240.0.0.0/4)";
        if (in(ip, ip(192, 0, 0, 0), 24)) return "a reserved address (IETF protocol assignments)";
        if (in(ip, ip(192, 0, 2, 0), 24) || in(ip, ip(198, 51, 100, 0), 24) || in(ip, ip(203, 0, 113, 0), 24)) {
            return "a documentation address (reserved)";
        }
        if (in(ip, ip(198, 18, 0, 0), 15)) return "a benchmarking address (reserved)";
        return null;
    }

    static String whyV6(byte[] a) {
        int p0 = ((a[0] & 0xFF) << 8) | (a[1] & 0xFF);
        int p1 = ((a[2] & 0xFF) << 8) | (a[3] & 0xFF);
        boolean zero80 = true;
        for (int i = 0; i < 10; i++) zero80 &= a[i] == 0;
        boolean mapped = zero80 && (a[10] & 0xFF) == 0xFF && (a[11] & 0xFF) == 0xFF;
        boolean zero96 = zero80 && a[10] == 0 && a[11] == 0;
        if (zero96) {
            int v4 = v4(a, 12);
            if (v4 == 0) return "the unspecified address";
            if (v4 == 1) return "a loopback address";
            String inner = whyV4(v4);
            return inner != null ? "an IPv4-compatible form of " + inner : "a deprecated IPv4-compatible address (::/96)";
        }
        if (mapped) {
            String inner = whyV4(v4(a, 12));
            return inner == null ? null : "an IPv4-mapped form of " + inner;
        }
        if (p0 == 0x64 && p1 == 0xff9b) {
            boolean wellKnown = true;
            for (int i = 4; i < 12; i++) wellKnown &= a[i] == 0;
            if (wellKnown) {
                String inner = whyV4(v4(a, 12));
                return inner == null ? null : "a NAT64 form of " + inner;
            }
        }
        if (p0 == 0x64 && p1 == 0xff9b && a[4] == 0 && a[5] == 1) return "a local-use NAT64 address (64:ff9b:1::/48)";
        if (p0 == 0x2002) {
            String inner = whyV4(v4(a, 2));
            return inner == null ? null : "a 6to4 form of " + inner;
        }
        if (p0 == 0x2001 && p1 == 0) {
            // Teredo: the client's IPv4 address is stored inverted in the last 32 bits.
            String inner = whyV4(~v4(a, 12));
            return inner == null ? null : "a Teredo form of " + inner;
        }
        if (p0 == 0xfd00 && p1 == 0x0ec2 && isEc2Metadata(a)) return "a cloud metadata service address";
        if ((p0 & 0xfe00) == 0xfc00) return "a private (unique local) address (fc00::/7)";
        if ((p0 & 0xffc0) == 0xfe80) return "a link-local address (fe80::/10)";
        if ((p0 & 0xffc0) == 0xfec0) return "a deprecated site-local address (fec0::/10)";
        if ((p0 & 0xff00) == 0xff00) return "a multicast address";
        if (p0 == 0x2001 && p1 == 0x0db8) return "a documentation address (reserved)";
        if (p0 == 0x0100 && p1 == 0 && a[4] == 0 && a[5] == 0 && a[6] == 0 && a[7] == 0) return "a discard-only address (100::/64)";
        if ((p0 & 0xe000) != 0x2000) return "a reserved address (outside the global unicast range 2000::/3)";
        return null;
    }

    private static boolean isEc2Metadata(byte[] a) {
        for (int i = 4; i < 14; i++) {
            if (a[i] != 0) return false;
        }
        return a[14] == 0x02 && (a[15] & 0xFF) == 0x54;
    }
}
