package dev.kurz.link;

/** Fixed-width base62 over {@code [0-9A-Za-z]}: 7 characters cover [0, 62^7). */
final class Base62 {
    static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    static final int WIDTH = 7;
    static final long SPACE = 3_521_614_606_208L; // 62^7

    private Base62() {}

    static String encode(long n) {
        if (n < 0 || n >= SPACE) throw new IllegalArgumentException("out of range: " + n);
        char[] out = new char[WIDTH];
        for (int i = WIDTH - 1; i >= 0; i--) {
            out[i] = ALPHABET.charAt((int) (n % 62));
            n /= 62;
        }
        return new String(out);
    }

    static long decode(String s) {
        if (s.length() != WIDTH) throw new IllegalArgumentException("not " + WIDTH + " characters: " + s);
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            int d = ALPHABET.indexOf(s.charAt(i));
            if (d < 0) throw new IllegalArgumentException("not base62: " + s);
            n = n * 62 + d;
        }
        return n;
    }
}
