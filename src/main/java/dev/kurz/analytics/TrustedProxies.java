package dev.kurz.analytics;

import java.util.ArrayList;
import java.util.List;

/**
 * Which peers may tell us the client's address, and the client address a request came from.
 *
 * <p>Forwarding headers are believed only when the socket peer is one of our proxies; anyone else
 * can write any {@code X-Forwarded-For} they like. Behind trusted proxies the chain is read right
 * to left, because each proxy appends the address it saw: the right-most address that is not one
 * of our own proxies is the last one that no proxy of ours vouches for, which is the client.
 */
public final class TrustedProxies {
    private static final TrustedProxies NONE = new TrustedProxies(List.of());

    private record Cidr(byte[] network, int prefix) {
        boolean contains(byte[] a) {
            if (a.length != network.length) return false;
            int full = prefix / 8;
            for (int i = 0; i < full; i++) if (a[i] != network[i]) return false;
            int rest = prefix % 8;
            if (rest == 0) return true;
            int mask = 0xff << (8 - rest) & 0xff;
            return (a[full] & mask) == (network[full] & mask);
        }
    }

    private final List<Cidr> cidrs;

    private TrustedProxies(List<Cidr> cidrs) {
        this.cidrs = cidrs;
    }

    /** True when no proxy is trusted: forwarding headers are then never read. */
    public boolean isEmpty() {
        return cidrs.isEmpty();
    }

    /**
     * A comma-separated list of IPv4 and IPv6 CIDRs ({@code "10.0.0.0/8, ::1/128"}); a bare address
     * stands for itself alone. Null or blank trusts no one.
     *
     * @throws IllegalArgumentException naming the first entry that is not an address or CIDR
     */
    public static TrustedProxies parse(String csv) {
        if (csv == null || csv.isBlank()) return NONE;
        List<Cidr> out = new ArrayList<>();
        for (String raw : csv.split(",")) {
            String entry = raw.trim();
            if (entry.isEmpty()) continue;
            out.add(cidr(entry));
        }
        return new TrustedProxies(List.copyOf(out));
    }

    private static Cidr cidr(String entry) {
        int slash = entry.indexOf('/');
        byte[] address = IpAddresses.parse(slash < 0 ? entry : entry.substring(0, slash));
        if (address == null) throw badEntry(entry);
        int max = address.length * 8;
        int prefix = max;
        if (slash >= 0) {
            String bits = entry.substring(slash + 1);
            if (bits.isEmpty() || bits.length() > 3 || !bits.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw badEntry(entry);
            }
            prefix = Integer.parseInt(bits);
            // "::ffff:10.0.0.0/104" is parsed as IPv4, so its prefix counts from the IPv4 part.
            boolean mapped = address.length == 4 && entry.indexOf(':') >= 0;
            if (mapped) prefix -= 96;
            if (prefix < 0 || prefix > max) throw badEntry(entry);
        }
        return new Cidr(address, prefix);
    }

    private static IllegalArgumentException badEntry(String entry) {
        return new IllegalArgumentException("\"" + entry + "\" is not an IP address or CIDR; expected entries like "
                + "10.0.0.0/8, 192.168.1.1, ::1/128 or fd00::/8, separated by commas");
    }

    /** Whether {@code ip} (an address literal) is one of our proxies; false for anything else. */
    public boolean trusted(String ip) {
        return trusted(IpAddresses.parse(ip));
    }

    private boolean trusted(byte[] a) {
        if (a == null) return false;
        for (Cidr c : cidrs) if (c.contains(a)) return true;
        return false;
    }

    /**
     * The client's address. {@code peer} is the socket's peer; {@code xForwardedFor} is every
     * X-Forwarded-For value joined with commas in the order received (null if none), and
     * {@code forwarded} likewise for the RFC 7239 Forwarded header, which is read only when there
     * is no X-Forwarded-For. Headers from an untrusted peer are ignored. Entries that are not
     * addresses ({@code unknown}, obfuscated names, garbage) are skipped. Addresses come back in
     * canonical text ({@link IpAddresses#format}).
     */
    public String clientIp(String peer, String xForwardedFor, String forwarded) {
        byte[] p = IpAddresses.parse(peer);
        // Canonical text, so one client is one string whichever way it came (Java prints "0:0:0:0:0:0:0:1").
        String self = p != null ? IpAddresses.format(p) : peer;
        if (!trusted(p)) return self;
        List<String> chain = xForwardedFor != null && !xForwardedFor.isBlank()
                ? List.of(xForwardedFor.split(","))
                : forwardedFor(forwarded);
        byte[] leftmost = null;
        for (int i = chain.size() - 1; i >= 0; i--) {
            byte[] a = node(chain.get(i).trim());
            if (a == null) continue;
            if (!trusted(a)) return IpAddresses.format(a);
            leftmost = a;
        }
        return leftmost != null ? IpAddresses.format(leftmost) : self;
    }

    /**
     * One hop: {@code 192.0.2.1}, {@code 192.0.2.1:4711}, {@code 2001:db8::1},
     * {@code [2001:db8::1]} or {@code [2001:db8::1]:4711}, optionally in double quotes.
     */
    private static byte[] node(String s) {
        if (s.length() >= 2 && s.charAt(0) == '"' && s.charAt(s.length() - 1) == '"') {
            s = s.substring(1, s.length() - 1).trim();
        }
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) return null;
            String after = s.substring(close + 1);
            if (!after.isEmpty() && !isPort(after)) return null;
            byte[] a = IpAddresses.parse(s.substring(1, close));
            return a != null && a.length == 16 ? a : null;
        }
        int colon = s.indexOf(':');
        if (colon >= 0 && colon == s.lastIndexOf(':')) {
            // One colon: IPv4 with a port (IPv6 has at least two).
            if (!isPort(s.substring(colon))) return null;
            byte[] a = IpAddresses.parse(s.substring(0, colon));
            return a != null && a.length == 4 ? a : null;
        }
        return IpAddresses.parse(s);
    }

    private static boolean isPort(String s) {
        if (s.length() < 2 || s.length() > 6 || s.charAt(0) != ':') return false;
        for (int i = 1; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        return true;
    }

    /** The {@code for=} values of a Forwarded header, in order (RFC 7239 section 4). */
    static List<String> forwardedFor(String header) {
        List<String> out = new ArrayList<>();
        if (header == null) return out;
        int n = header.length();
        int i = 0;
        while (i < n) {
            // One forwarded-pair: token "=" ( token / quoted-string ), ended by ';' or ','.
            int keyStart = i;
            while (i < n && header.charAt(i) != '=' && header.charAt(i) != ';' && header.charAt(i) != ',') i++;
            String key = header.substring(keyStart, i).trim();
            String value = null;
            if (i < n && header.charAt(i) == '=') {
                i++;
                while (i < n && header.charAt(i) == ' ') i++;
                StringBuilder v = new StringBuilder();
                if (i < n && header.charAt(i) == '"') {
                    i++;
                    while (i < n && header.charAt(i) != '"') {
                        if (header.charAt(i) == '\\' && i + 1 < n) i++;
                        v.append(header.charAt(i++));
                    }
                    i++; // closing quote
                } else {
                    while (i < n && header.charAt(i) != ';' && header.charAt(i) != ',') v.append(header.charAt(i++));
                }
                value = v.toString().trim();
            }
            while (i < n && header.charAt(i) != ';' && header.charAt(i) != ',') i++; // junk after a value
            i++; // the separator
            if (value != null && key.equalsIgnoreCase("for")) out.add(value);
        }
        return out;
    }
}
