package dev.kurz.link;

import com.ibm.icu.text.IDNA;
import java.util.Locale;

/**
 * Host names as a browser reads them (the WHATWG URL host parser), so the host Kurz checks and
 * stores is the host a browser will connect to.
 *
 * <p>Domains go through UTS #46 non-transitional processing, as browsers do ({@code straße.de}
 * stays {@code xn--strae-oqa.de}; the JDK's IDNA 2003 would quietly make it {@code strasse.de}).
 * A host whose last label is a number is an IPv4 address in any of the forms browsers accept:
 * 1 to 4 parts, each decimal, octal ({@code 0177}) or hex ({@code 0x7f}), the last part filling
 * the remaining bytes ({@code 127.1}, {@code 2130706433}); it is rewritten as four decimal parts.
 * IPv6 addresses are rewritten in their shortest form, an embedded IPv4 part as hex.
 */
public final class Hosts {
    private static final IDNA UTS46 = IDNA.getUTS46Instance(
            IDNA.NONTRANSITIONAL_TO_ASCII | IDNA.NONTRANSITIONAL_TO_UNICODE | IDNA.CHECK_BIDI | IDNA.CHECK_CONTEXTJ
                    | IDNA.USE_STD3_RULES);

    private Hosts() {}

    /**
     * The canonical ASCII form of an authority's host: {@code [v6]} brackets kept, IPv4 as
     * dotted decimal, domains lower-case punycode (a trailing dot is the caller's to remove).
     *
     * @throws IllegalArgumentException naming what is wrong with the host
     */
    public static String canonical(String host) {
        if (host.startsWith("[")) {
            if (!host.endsWith("]")) throw new IllegalArgumentException("has an invalid IPv6 address");
            byte[] a = ipv6(host.substring(1, host.length() - 1));
            if (a == null) throw new IllegalArgumentException("has an invalid IPv6 address '" + truncate(host) + "'");
            return "[" + formatIpv6(a) + "]";
        }
        String ascii = toAscii(host);
        if (endsInNumber(ascii)) {
            byte[] a = ipv4(ascii);
            if (a == null) throw new IllegalArgumentException("has an invalid IPv4 address '" + truncate(host) + "'");
            return formatIpv4(a);
        }
        if (ascii.isEmpty() || ascii.length() > 253 || ascii.startsWith(".") || ascii.endsWith(".") || ascii.contains("..")) {
            throw new IllegalArgumentException("has an invalid host name '" + truncate(host) + "'");
        }
        return ascii;
    }

    /** The address of a canonical host (4 or 16 bytes), or null when the host is a domain name. */
    public static byte[] address(String canonicalHost) {
        if (canonicalHost.startsWith("[")) return ipv6(canonicalHost.substring(1, canonicalHost.length() - 1));
        return endsInNumber(canonicalHost) ? ipv4(canonicalHost) : null;
    }

    /** A canonical ASCII domain in Unicode (punycode labels decoded), for showing and for homograph checks. */
    public static String toUnicode(String asciiDomain) {
        IDNA.Info info = new IDNA.Info();
        String u = UTS46.nameToUnicode(asciiDomain, new StringBuilder(asciiDomain.length()), info).toString();
        return info.hasErrors() ? asciiDomain : u;
    }

    private static String toAscii(String host) {
        boolean plain = true;
        int label = 0;
        for (int i = 0; i < host.length() && plain; i++) {
            char c = host.charAt(i);
            plain = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
            label = c == '.' ? 0 : label + 1;
            plain &= label <= 63;
        }
        // Fast path for the usual lower-case ASCII name; xn-- labels still need their punycode checked.
        if (plain && !host.contains("xn--") && !host.startsWith("-") && !host.contains("-.") && !host.contains(".-")
                && !host.endsWith("-")) {
            return host;
        }
        IDNA.Info info = new IDNA.Info();
        String ascii = UTS46.nameToASCII(host, new StringBuilder(host.length() + 8), info).toString();
        if (info.hasErrors()) throw new IllegalArgumentException("has an invalid host name '" + truncate(host) + "'");
        return ascii.toLowerCase(Locale.ROOT);
    }

    /** WHATWG "ends in a number": the last label (before an optional trailing dot) is digits or 0x-hex. */
    static boolean endsInNumber(String host) {
        int end = host.endsWith(".") ? host.length() - 1 : host.length();
        int start = host.lastIndexOf('.', end - 1) + 1;
        if (start >= end) return false;
        boolean digits = true;
        for (int i = start; i < end && digits; i++) digits = host.charAt(i) >= '0' && host.charAt(i) <= '9';
        if (digits) return true;
        if (end - start >= 2 && host.charAt(start) == '0' && (host.charAt(start + 1) == 'x' || host.charAt(start + 1) == 'X')) {
            for (int i = start + 2; i < end; i++) {
                if (asciiDigit(host.charAt(i), 16) < 0) return false;
            }
            return true;
        }
        return false;
    }

    /** The WHATWG IPv4 parser: null when the host is not a valid IPv4 address in any accepted form. */
    static byte[] ipv4(String host) {
        String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        String[] parts = h.split("\\.", -1);
        if (parts.length > 4) return null;
        long[] n = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            n[i] = ipv4Number(parts[i]);
            if (n[i] < 0) return null;
        }
        for (int i = 0; i < n.length - 1; i++) {
            if (n[i] > 255) return null;
        }
        long last = n[n.length - 1];
        if (last >= 1L << (8 * (5 - n.length))) return null;
        long v = last;
        for (int i = 0; i < n.length - 1; i++) v += n[i] << (8 * (3 - i));
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    /** One part: decimal, 0-prefixed octal or 0x-prefixed hex; -1 when invalid or beyond 2^32. */
    private static long ipv4Number(String s) {
        if (s.isEmpty()) return -1;
        int radix = 10;
        if (s.length() >= 2 && (s.startsWith("0x") || s.startsWith("0X"))) {
            radix = 16;
            s = s.substring(2);
        } else if (s.length() >= 2 && s.charAt(0) == '0') {
            radix = 8;
            s = s.substring(1);
        }
        if (s.isEmpty()) return 0;
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            int d = asciiDigit(s.charAt(i), radix);
            if (d < 0) return -1;
            v = v * radix + d;
            if (v > 0xFFFF_FFFFL) return -1;
        }
        return v;
    }

    /** The WHATWG IPv6 parser (an embedded IPv4 part in strict dotted decimal); null when invalid. */
    static byte[] ipv6(String s) {
        int[] pieces = new int[8];
        int piece = 0;
        int compress = -1;
        int i = 0;
        int n = s.length();
        if (n == 0) return null;
        if (s.charAt(0) == ':') {
            if (n < 2 || s.charAt(1) != ':') return null;
            i = 2;
            piece = 1;
            compress = 1;
        }
        while (i < n) {
            if (piece == 8) return null;
            if (s.charAt(i) == ':') {
                if (compress != -1) return null;
                i++;
                piece++;
                compress = piece;
                continue;
            }
            int value = 0;
            int length = 0;
            while (length < 4 && i < n && asciiDigit(s.charAt(i), 16) >= 0) {
                value = value * 16 + asciiDigit(s.charAt(i), 16);
                i++;
                length++;
            }
            if (i < n && s.charAt(i) == '.') {
                if (length == 0) return null;
                i -= length;
                if (piece > 6) return null;
                int seen = 0;
                while (i < n) {
                    int ipv4Piece = -1;
                    if (seen > 0) {
                        if (s.charAt(i) == '.' && seen < 4) i++;
                        else return null;
                    }
                    if (i >= n || s.charAt(i) < '0' || s.charAt(i) > '9') return null;
                    while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                        int d = s.charAt(i) - '0';
                        if (ipv4Piece == -1) ipv4Piece = d;
                        else if (ipv4Piece == 0) return null;
                        else ipv4Piece = ipv4Piece * 10 + d;
                        if (ipv4Piece > 255) return null;
                        i++;
                    }
                    pieces[piece] = pieces[piece] * 0x100 + ipv4Piece;
                    seen++;
                    if (seen == 2 || seen == 4) piece++;
                }
                if (seen != 4) return null;
                break;
            } else if (i < n && s.charAt(i) == ':') {
                i++;
                if (i >= n) return null;
            } else if (i < n) {
                return null;
            }
            pieces[piece] = value;
            piece++;
        }
        if (compress != -1) {
            int swaps = piece - compress;
            piece = 7;
            while (piece != 0 && swaps > 0) {
                int t = pieces[piece];
                pieces[piece] = pieces[compress + swaps - 1];
                pieces[compress + swaps - 1] = t;
                piece--;
                swaps--;
            }
        } else if (piece != 8) {
            return null;
        }
        byte[] out = new byte[16];
        for (int k = 0; k < 8; k++) {
            out[2 * k] = (byte) (pieces[k] >>> 8);
            out[2 * k + 1] = (byte) pieces[k];
        }
        return out;
    }

    /** The value of an ASCII digit in {@code radix} (8, 10 or 16), else -1; never other scripts' digits. */
    private static int asciiDigit(char c, int radix) {
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        return d < radix ? d : -1;
    }

    static String formatIpv4(byte[] a) {
        return (a[0] & 0xFF) + "." + (a[1] & 0xFF) + "." + (a[2] & 0xFF) + "." + (a[3] & 0xFF);
    }

    /** RFC 5952 / WHATWG serialization: lower-case hex, the first longest run of two or more zero pieces as {@code ::}. */
    static String formatIpv6(byte[] a) {
        int[] p = new int[8];
        for (int k = 0; k < 8; k++) p[k] = ((a[2 * k] & 0xFF) << 8) | (a[2 * k + 1] & 0xFF);
        int bestStart = -1;
        int bestLen = 1;
        for (int k = 0; k < 8; ) {
            if (p[k] != 0) {
                k++;
                continue;
            }
            int j = k;
            while (j < 8 && p[j] == 0) j++;
            if (j - k > bestLen) {
                bestStart = k;
                bestLen = j - k;
            }
            k = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int k = 0; k < 8; k++) {
            if (k == bestStart) {
                sb.append(k == 0 ? "::" : ":");
                k += bestLen - 1;
                continue;
            }
            sb.append(Integer.toHexString(p[k]));
            if (k < 7) sb.append(':');
        }
        return sb.toString();
    }

    private static String truncate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
