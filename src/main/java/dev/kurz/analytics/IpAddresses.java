package dev.kurz.analytics;

/**
 * Numeric IP address literals: parsing, canonical text and anonymizing. Parses by hand because
 * {@code InetAddress.getByName} resolves anything that is not a literal through DNS, and the
 * strings parsed here come from request headers.
 */
final class IpAddresses {
    private IpAddresses() {}

    /**
     * The address with its host part zeroed: IPv4 keeps /24, IPv6 keeps /48, in canonical text.
     * An IPv4-mapped IPv6 address ({@code ::ffff:192.0.2.1}) counts as the IPv4 address it maps.
     * Null for null or anything that is not an address literal.
     */
    static String anonymize(String ip) {
        byte[] a = parse(ip);
        if (a == null) return null;
        int keep = a.length == 4 ? 3 : 6;
        for (int i = keep; i < a.length; i++) a[i] = 0;
        return format(a);
    }

    /**
     * The 4 or 16 bytes of an IPv4 or IPv6 literal, or null. IPv4-mapped IPv6 comes back as 4 bytes,
     * so one client has one form whether it reached a dual-stack socket or not. A zone
     * ({@code fe80::1%eth0}) is dropped; brackets and ports are the caller's business.
     */
    static byte[] parse(String s) {
        if (s == null) return null;
        int zone = s.indexOf('%');
        if (zone >= 0) s = s.substring(0, zone);
        if (s.isEmpty() || s.length() > 45) return null;
        byte[] a = s.indexOf(':') >= 0 ? parseV6(s) : parseV4(s, 0, s.length());
        if (a != null && a.length == 16 && isV4Mapped(a)) {
            byte[] v4 = new byte[4];
            System.arraycopy(a, 12, v4, 0, 4);
            return v4;
        }
        return a;
    }

    /** Dotted decimal for IPv4; RFC 5952 text for IPv6 (lower case, longest zero run as "::"). */
    static String format(byte[] a) {
        if (a.length == 4) {
            return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
        }
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) g[i] = (a[2 * i] & 0xff) << 8 | (a[2 * i + 1] & 0xff);
        int bestStart = -1, bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) j++;
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        if (bestLen < 2) bestStart = -1; // RFC 5952 4.2.2: a single zero group is not compressed
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') sb.append(':');
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) if (a[i] != 0) return false;
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    /** Exactly four decimal parts 0-255 without leading zeros (some parsers read those as octal). */
    private static byte[] parseV4(String s, int from, int to) {
        byte[] out = new byte[4];
        int part = 0;
        int i = from;
        while (true) {
            int start = i, value = 0;
            while (i < to && i - start < 3 && isDigit(s.charAt(i))) value = value * 10 + (s.charAt(i++) - '0');
            int len = i - start;
            if (len == 0 || value > 255 || (len > 1 && s.charAt(start) == '0')) return null;
            out[part++] = (byte) value;
            if (part == 4) return i == to ? out : null;
            if (i >= to || s.charAt(i) != '.') return null;
            i++;
        }
    }

    private static byte[] parseV6(String s) {
        int n = s.length();
        byte[] out = new byte[16];
        int pos = 0; // bytes written
        int gap = -1; // byte index where "::" stands
        int i = 0;
        if (s.startsWith("::")) {
            gap = 0;
            i = 2;
            if (i == n) return out;
        } else if (s.charAt(0) == ':') {
            return null;
        }
        while (i < n) {
            if (pos == 16) return null;
            int start = i, value = 0;
            while (i < n && i - start < 4 && hex(s.charAt(i)) >= 0) value = value << 4 | hex(s.charAt(i++));
            if (i < n && s.charAt(i) == '.') {
                // Trailing dotted IPv4 part, as in ::ffff:192.0.2.1.
                if (pos > 12) return null;
                byte[] v4 = parseV4(s, start, n);
                if (v4 == null) return null;
                System.arraycopy(v4, 0, out, pos, 4);
                pos += 4;
                i = n;
                break;
            }
            if (i == start) return null;
            out[pos++] = (byte) (value >> 8);
            out[pos++] = (byte) value;
            if (i == n) break;
            if (s.charAt(i) != ':') return null;
            i++;
            if (i < n && s.charAt(i) == ':') {
                if (gap >= 0) return null; // a second "::"
                gap = pos;
                i++;
                if (i == n) break;
            } else if (i == n) {
                return null; // a single trailing ':'
            }
        }
        if (gap < 0) return pos == 16 ? out : null;
        if (pos == 16) return null; // "::" must stand for at least one group
        int tail = pos - gap;
        System.arraycopy(out, gap, out, 16 - tail, tail);
        for (int k = gap; k < 16 - tail; k++) out[k] = 0;
        return out;
    }

    /** ASCII only: {@code Character.digit} also takes other scripts' digits. */
    private static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
