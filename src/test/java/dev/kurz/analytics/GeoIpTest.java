package dev.kurz.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class GeoIpTest {
    private static GeoIp bundled;

    @BeforeAll
    static void open() {
        bundled = GeoIp.open(null);
    }

    @AfterAll
    static void close() {
        bundled.close();
    }

    // Expected values are what the bundled database (ip-location-db 2.3.2026061719) says.
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiterString = "=>", textBlock = """
            8.8.8.8 => US
            1.1.1.1 => AU
            85.214.132.117 => DE
            193.99.144.80 => DE
            133.242.0.1 => JP
            2001:4860:4860::8888 => US
            2a01:238:20a:202:1000::1 => DE
            2001:240::1 => JP
            ::ffff:8.8.8.8 => US
            """)
    void country_bundledDatabase(String ip, String country) {
        assertThat(bundled.country(ip)).isEqualTo(country);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "100.64.0.1", "169.254.1.1", "0.0.0.0",
            "224.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fd00::1", "garbage", "8.8.8", "8.8.8.8.8",
            "dns.google", "[2001:4860:4860::8888]"})
    void country_unknownPrivateOrInvalid_isNull(String ip) {
        assertThat(bundled.country(ip)).isNull();
    }

    @Test
    void open_missingFile_namesThePath(@TempDir Path dir) {
        Path missing = dir.resolve("nope.mmdb");
        assertThatThrownBy(() -> GeoIp.open(missing))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("not a readable MaxMind database");
    }

    @Test
    void open_notADatabase_namesThePath(@TempDir Path dir) throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.mmdb"), "this is not a database\n".repeat(100));
        assertThatThrownBy(() -> GeoIp.open(junk))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(junk.toString())
                .hasMessageContaining("not a readable MaxMind database");
    }

    @Test
    void country_maxMindLayout_readsCountryIsoCode(@TempDir Path dir) throws Exception {
        // A GeoLite2-Country shaped record, as MaxMind ships it.
        Map<String, Object> names = Map.of("en", "Germany", "de", "Deutschland");
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("continent", Map.of("code", "EU", "geoname_id", new U32(6255148), "names", Map.of("en", "Europe")));
        record.put("country", Map.of("geoname_id", new U32(2921044), "iso_code", "DE", "names", names));
        record.put("registered_country", Map.of("geoname_id", new U32(2921044), "iso_code", "DE", "names", names));
        Path db = Files.write(dir.resolve("GeoLite2-Country.mmdb"), TinyMmdb.lowerHalf(record, "GeoLite2-Country"));
        try (GeoIp geo = GeoIp.open(db)) {
            assertThat(geo.country("8.8.8.8")).isEqualTo("DE");
            assertThat(geo.country("200.1.1.1")).as("upper half has no record").isNull();
        }
    }

    @Test
    void country_flatLayout_readsCountryCodeAndUpperCasesIt(@TempDir Path dir) throws Exception {
        Path db = Files.write(dir.resolve("flat.mmdb"), TinyMmdb.lowerHalf(Map.of("country_code", "jp"), "flat"));
        try (GeoIp geo = GeoIp.open(db)) {
            assertThat(geo.country("8.8.8.8")).isEqualTo("JP");
        }
    }

    @Test
    void country_recordWithoutACountry_isNull(@TempDir Path dir) throws Exception {
        Path db = Files.write(dir.resolve("asn.mmdb"), TinyMmdb.lowerHalf(Map.of("autonomous_system_number", new U32(15169)), "asn"));
        try (GeoIp geo = GeoIp.open(db)) {
            assertThat(geo.country("8.8.8.8")).isNull();
        }
    }

    private record U16(int value) {}

    private record U32(long value) {}

    private record U64(long value) {}

    /**
     * Writes MaxMind DB files (format 2.0) with a one-node IPv4 search tree: 0.0.0.0/1 maps to the
     * given record and 128.0.0.0/1 to nothing. Enough to test record layouts without shipping a
     * MaxMind database, whose licence forbids that.
     */
    private static final class TinyMmdb {
        static byte[] lowerHalf(Map<String, Object> record, String type) {
            int nodeCount = 1;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int left = nodeCount + 16; // a data pointer: offset 0 in the data section
            int right = nodeCount; // "no data"
            for (int v : new int[] {left, right}) {
                out.write(v >>> 16);
                out.write(v >>> 8);
                out.write(v);
            }
            out.writeBytes(new byte[16]);
            encode(out, record);
            out.writeBytes(new byte[] {(byte) 0xAB, (byte) 0xCD, (byte) 0xEF});
            out.writeBytes("MaxMind.com".getBytes(StandardCharsets.US_ASCII));
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("binary_format_major_version", new U16(2));
            meta.put("binary_format_minor_version", new U16(0));
            meta.put("build_epoch", new U64(1_700_000_000L));
            meta.put("database_type", type);
            meta.put("description", Map.of("en", "test"));
            meta.put("ip_version", new U16(4));
            meta.put("languages", List.of("en"));
            meta.put("node_count", new U32(nodeCount));
            meta.put("record_size", new U16(24));
            encode(out, meta);
            return out.toByteArray();
        }

        private static void encode(ByteArrayOutputStream out, Object value) {
            switch (value) {
                case String s -> {
                    byte[] b = s.getBytes(StandardCharsets.UTF_8);
                    control(out, 2, b.length);
                    out.writeBytes(b);
                }
                case Map<?, ?> m -> {
                    control(out, 7, m.size());
                    m.forEach((k, v) -> {
                        encode(out, k);
                        encode(out, v);
                    });
                }
                case List<?> l -> {
                    control(out, 11, l.size());
                    l.forEach(v -> encode(out, v));
                }
                case U16 u -> unsigned(out, 5, u.value(), 2);
                case U32 u -> unsigned(out, 6, u.value(), 4);
                case U64 u -> unsigned(out, 9, u.value(), 8);
                default -> throw new IllegalArgumentException(value.getClass().toString());
            }
        }

        private static void unsigned(ByteArrayOutputStream out, int type, long value, int maxBytes) {
            int n = 0;
            while (n < maxBytes && value >>> (8 * n) != 0) n++;
            control(out, type, n);
            for (int i = n - 1; i >= 0; i--) out.write((int) (value >>> (8 * i)));
        }

        /** Type in the top 3 bits (types above 7 in an extra byte), size below 29 in the low 5. */
        private static void control(ByteArrayOutputStream out, int type, int size) {
            if (size >= 29) throw new IllegalArgumentException("size " + size);
            if (type <= 7) {
                out.write(type << 5 | size);
            } else {
                out.write(size);
                out.write(type - 7);
            }
        }
    }
}
