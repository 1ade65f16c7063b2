package dev.kurz.bench;

import dev.kurz.config.Env;
import dev.kurz.config.KurzConfig;
import dev.kurz.storage.jdbc.Database;
import dev.kurz.testing.TestServers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

/** Shared bits of the analytics benchmarks: databases, realistic value pools, a Zipf sampler. */
final class BenchSupport {
    static final String[] USER_AGENTS = {
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
        "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "curl/8.5.0",
    };
    static final String[] REFERRERS = {
        null, null, null, "https://www.google.com/", "https://t.co/abc", "https://news.ycombinator.com/item?id=1",
        "https://www.reddit.com/r/programming/", "https://www.linkedin.com/feed/", "https://mail.google.com/", "https://duckduckgo.com/",
    };

    private BenchSupport() {}

    static Database database(String kind) {
        if (kind.equals("postgres")) {
            return Database.open(KurzConfig.from(new Env(Map.of("KURZ_DATABASE_URL", TestServers.freshPostgresDatabase()))));
        }
        try {
            return Database.sqlite(Files.createTempDirectory("kurz-bench").resolve("kurz.db"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Random public-looking IPv4 addresses (first octet avoids private and reserved ranges). */
    static String[] ips(int n, Random r) {
        String[] out = new String[n];
        int[] firsts = {8, 23, 31, 45, 62, 77, 85, 91, 104, 141, 151, 176, 185, 203, 212};
        for (int i = 0; i < n; i++) {
            out[i] = firsts[r.nextInt(firsts.length)] + "." + r.nextInt(256) + "." + r.nextInt(256) + "." + (1 + r.nextInt(254));
        }
        return out;
    }

    /** {@code samples} draws from a Zipf(s=1) distribution over [0, n): a few hot links, a long tail. */
    static int[] zipf(int n, int samples, Random r) {
        double[] cdf = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) cdf[i] = (sum += 1.0 / (i + 1));
        for (int i = 0; i < n; i++) cdf[i] /= sum;
        int[] out = new int[samples];
        for (int i = 0; i < samples; i++) {
            int k = Arrays.binarySearch(cdf, r.nextDouble());
            out[i] = Math.min(n - 1, k < 0 ? -k - 1 : k);
        }
        return out;
    }

    static String arg(String[] args, String name, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) if (args[i].equals("--" + name)) return args[i + 1];
        return fallback;
    }
}
