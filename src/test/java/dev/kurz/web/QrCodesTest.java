package dev.kurz.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.MultiFormatReader;
import com.google.zxing.NotFoundException;
import com.google.zxing.client.j2se.BufferedImageLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import dev.kurz.link.QrCodes;
import dev.kurz.testing.Api;
import dev.kurz.testing.Api.Resp;
import dev.kurz.testing.MutableClock;
import dev.kurz.testing.Node;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * QR codes: {@link QrCodes} on its own (tests named {@code qrCodes*}, no server), then
 * {@code GET /api/v1/links/{slug}/qr} over real HTTP against an embedded node started on first use.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QrCodesTest {
    private static final String TEXT = "http://kurz.test/Ab3-x_9";
    private static final Pattern RUN = Pattern.compile("M(\\d+) (\\d+)h(\\d+)v1h-\\3z");
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final MutableClock clock = MutableClock.systemNow();
    private Node node;

    @AfterAll
    void stop() {
        if (node != null) node.close();
    }

    // ---- QrCodes, no server ----

    @Test
    void qrCodesPng_decodesToTheTextAtEverySizeAndLevel() {
        for (int size : new int[] {64, 128, 300, 512, 2048}) {
            for (char ecc : "LMQH".toCharArray()) {
                BufferedImage img = image(QrCodes.png(TEXT, size, QrCodes.DEFAULT_MARGIN, ecc));
                assertThat(img.getWidth()).isEqualTo(size);
                assertThat(img.getHeight()).isEqualTo(size);
                assertThat(decodePure(img)).as("size %d ecc %s", size, ecc).isEqualTo(TEXT);
                // ZXing's camera-style detector needs a few pixels per module, as a phone does.
                if (size >= 128) assertThat(decode(img)).as("size %d ecc %s", size, ecc).isEqualTo(TEXT);
            }
        }
    }

    @Test
    void qrCodesPng_nonAsciiTextRoundTripsAsUtf8() {
        String text = "https://exämple.com/ñ?q=ü&x=€";
        assertThat(decode(image(QrCodes.png(text, 256, 4, 'M')))).isEqualTo(text);
    }

    @Test
    void qrCodesPng_wholePixelModulesCentredWithLeftoverAround() {
        int size = 300;
        int margin = 4;
        int n = modules(QrCodes.svg(TEXT, size, 0, 'M'));
        int scale = size / (n + 2 * margin);
        int offset = (size - n * scale) / 2;
        BufferedImage img = image(QrCodes.png(TEXT, size, margin, 'M'));
        // The top-left finder pattern: a 7-module dark square starting exactly at the offset.
        assertThat(dark(img, offset, offset)).isTrue();
        assertThat(dark(img, offset + 7 * scale - 1, offset)).isTrue();
        assertThat(dark(img, offset + 7 * scale, offset)).isFalse();
        assertThat(dark(img, offset - 1, offset)).isFalse();
        assertThat(dark(img, offset, offset - 1)).isFalse();
        // The bottom-right corner is quiet zone, and the image is black and white only.
        assertThat(dark(img, size - 1, size - 1)).isFalse();
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) assertThat(img.getRGB(x, y) & 0xffffff).isIn(0, 0xffffff);
        }
    }

    @Test
    void qrCodesPng_marginThatDoesNotFitIsCutNotScaledBelowOnePixel() {
        String longer = "http://kurz.test/" + "s".repeat(64);
        BufferedImage img = image(QrCodes.png(longer, 64, 16, 'H'));
        assertThat(img.getWidth()).isEqualTo(64);
        assertThat(decodePure(img)).isEqualTo(longer);
    }

    @Test
    void qrCodesPng_codeLargerThanSize_isRejectedNamingSize() {
        String huge = "http://kurz.test/" + "x".repeat(400);
        assertThatThrownBy(() -> QrCodes.png(huge, 64, 0, 'H'))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("size:");
    }

    @Test
    void qrCodesSvg_isWellFormedWithTitleSizeAndViewBoxInModules() throws Exception {
        String svg = QrCodes.svg(TEXT, 300, 4, 'M');
        Element root = parse(svg).getDocumentElement();
        assertThat(root.getLocalName()).isEqualTo("svg");
        assertThat(root.getNamespaceURI()).isEqualTo("http://www.w3.org/2000/svg");
        assertThat(root.getAttribute("width")).isEqualTo("300");
        assertThat(root.getAttribute("height")).isEqualTo("300");
        assertThat(root.getAttribute("role")).isEqualTo("img");
        assertThat(root.getAttribute("shape-rendering")).isEqualTo("crispEdges");
        int n = modules(QrCodes.svg(TEXT, 300, 0, 'M'));
        assertThat(root.getAttribute("viewBox")).isEqualTo("0 0 " + (n + 8) + " " + (n + 8));
        assertThat(root.getElementsByTagNameNS("*", "title").item(0).getTextContent()).isEqualTo(TEXT);
        assertThat(root.getElementsByTagNameNS("*", "rect").getLength()).isEqualTo(1);
        assertThat(root.getElementsByTagNameNS("*", "path").getLength()).isEqualTo(1);
    }

    @Test
    void qrCodesSvg_pathIsMergedRunsThatDrawADecodableCode() {
        String svg = QrCodes.svg(TEXT, 256, 2, 'Q');
        String d = pathData(svg);
        assertThat(RUN.matcher(d).replaceAll("")).as("only M x y hNv1h-Nz runs").isEmpty();
        // Merged: no run starts where the previous one on the same row ended.
        Matcher m = RUN.matcher(d);
        int lastY = -1;
        int lastEnd = -1;
        int runs = 0;
        int dark = 0;
        while (m.find()) {
            int x = Integer.parseInt(m.group(1));
            int y = Integer.parseInt(m.group(2));
            int w = Integer.parseInt(m.group(3));
            if (y == lastY) assertThat(x).isGreaterThan(lastEnd);
            lastY = y;
            lastEnd = x + w;
            runs++;
            dark += w;
        }
        assertThat(runs).isLessThan(dark);
        assertThat(decode(rasterise(svg, 4))).isEqualTo(TEXT);
    }

    @Test
    void qrCodesSvg_titleIsEscaped() throws Exception {
        String text = "http://kurz.test/a?b=<c>&d=\"e\"";
        String svg = QrCodes.svg(text, 128, 4, 'L');
        Document doc = parse(svg);
        assertThat(doc.getElementsByTagNameNS("*", "title").item(0).getTextContent()).isEqualTo(text);
        assertThat(doc.getDocumentElement().getAttribute("aria-label")).isEqualTo(text);
    }

    @Test
    void qrCodes_parametersOutsideTheLimits_areRejectedNamingTheParameter() {
        assertThatThrownBy(() -> QrCodes.svg(TEXT, 63, 4, 'M')).hasMessageStartingWith("size:");
        assertThatThrownBy(() -> QrCodes.png(TEXT, 2049, 4, 'M')).hasMessageStartingWith("size:");
        assertThatThrownBy(() -> QrCodes.svg(TEXT, 256, -1, 'M')).hasMessageStartingWith("margin:");
        assertThatThrownBy(() -> QrCodes.png(TEXT, 256, 17, 'M')).hasMessageStartingWith("margin:");
        assertThatThrownBy(() -> QrCodes.svg(TEXT, 256, 4, 'X')).hasMessageStartingWith("ecc:");
        assertThatThrownBy(() -> QrCodes.png(TEXT, 256, 4, 'm')).hasMessageStartingWith("ecc:");
    }

    // ---- GET /api/v1/links/{slug}/qr over HTTP ----

    @Test
    void qr_png_decodesToTheShortUrlAt128And512() {
        String slug = link();
        for (int size : new int[] {128, 512}) {
            HttpResponse<byte[]> r = bytes("/api/v1/links/" + slug + "/qr?format=png&size=" + size, Node.ADMIN_KEY);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).hasValue("image/png");
            assertThat(r.headers().firstValue("cache-control")).hasValue("private, max-age=300");
            assertThat(r.headers().firstValue("content-disposition")).hasValue("inline; filename=\"" + slug + ".png\"");
            BufferedImage img = image(r.body());
            assertThat(img.getWidth()).isEqualTo(size);
            assertThat(img.getHeight()).isEqualTo(size);
            assertThat(decode(img)).isEqualTo(Node.BASE_URL + "/" + slug);
        }
    }

    @Test
    void qr_default_isSvgWithTheShortUrlAsTitle() throws Exception {
        String slug = link();
        Resp r = api().get("/api/v1/links/" + slug + "/qr");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.contentType()).isEqualTo("image/svg+xml; charset=utf-8");
        assertThat(r.header("cache-control")).isEqualTo("private, max-age=300");
        assertThat(r.header("content-disposition")).isEqualTo("inline; filename=\"" + slug + ".svg\"");
        Element root = parse(r.body()).getDocumentElement();
        assertThat(root.getAttribute("width")).isEqualTo(String.valueOf(QrCodes.DEFAULT_SIZE));
        assertThat(root.getElementsByTagNameNS("*", "title").item(0).getTextContent()).isEqualTo(Node.BASE_URL + "/" + slug);
        assertThat(decode(rasterise(r.body(), 4))).isEqualTo(Node.BASE_URL + "/" + slug);
    }

    @Test
    void qr_parameters_areApplied() throws Exception {
        String slug = link();
        Resp r = api().get("/api/v1/links/" + slug + "/qr?format=SVG&size=1024&margin=0&ecc=h");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        String expected = QrCodes.svg(Node.BASE_URL + "/" + slug, 1024, 0, 'H');
        assertThat(r.body()).isEqualTo(expected);
    }

    @Test
    void qr_download_isAnAttachment() {
        String slug = link();
        assertThat(api().get("/api/v1/links/" + slug + "/qr?download=1").header("content-disposition"))
                .isEqualTo("attachment; filename=\"" + slug + ".svg\"");
        HttpResponse<byte[]> png = bytes("/api/v1/links/" + slug + "/qr?format=png&download=1", Node.ADMIN_KEY);
        assertThat(png.headers().firstValue("content-disposition")).hasValue("attachment; filename=\"" + slug + ".png\"");
    }

    @Test
    void qr_badParameters_are400NamingTheParameter() {
        String slug = link();
        Map<String, String> cases = Map.of(
                "format=gif", "format:",
                "size=10", "size:",
                "size=5000", "size:",
                "size=abc", "size:",
                "margin=-1", "margin:",
                "margin=17", "margin:",
                "ecc=X", "ecc:",
                "ecc=MM", "ecc:",
                "download=yes", "download:");
        cases.forEach((query, prefix) -> {
            Resp r = api().get("/api/v1/links/" + slug + "/qr?" + query);
            assertProblem(r, 400, "bad-request");
            assertThat(r.json().getString("detail")).as(query).startsWith(prefix);
        });
        assertThat(api().get("/api/v1/links/" + slug + "/qr?format=gif").json().getString("detail")).contains("svg", "png");
        assertThat(api().get("/api/v1/links/" + slug + "/qr?ecc=X").json().getString("detail")).contains("L", "M", "Q", "H");
    }

    @Test
    void qr_unknownSlug_is404() {
        assertProblem(api().get("/api/v1/links/no-such-link/qr"), 404, "link-not-found");
        assertProblem(api().get("/api/v1/links/no-such-link/qr?format=png"), 404, "link-not-found");
    }

    @Test
    void qr_withoutKey_is401() {
        String slug = link();
        assertProblem(api().withKey(null).get("/api/v1/links/" + slug + "/qr"), 401, "unauthorized");
        assertThat(bytes("/api/v1/links/" + slug + "/qr?format=png", null).statusCode()).isEqualTo(401);
    }

    @Test
    void qr_readOnlyKey_isEnough() {
        String slug = link();
        var keys = new dev.kurz.auth.ApiKeys(new dev.kurz.storage.jdbc.JdbcStore(
                dev.kurz.storage.jdbc.Database.sqlite(node.dataDir.resolve("kurz.db"))), clock, Runnable::run);
        String reader = keys.create("qr-reader", java.util.EnumSet.of(dev.kurz.auth.Scope.LINKS_READ)).key();
        assertThat(api().withKey(reader).get("/api/v1/links/" + slug + "/qr").status()).isEqualTo(200);
    }

    // ---- helpers ----

    private Api api() {
        if (node == null) node = Node.sqlite(clock);
        return node.api;
    }

    private String link() {
        return api().create(Map.of("url", "https://example.com/qr")).getString("slug");
    }

    /** The body as bytes: {@link Api} reads bodies as text, which would mangle a PNG. */
    private HttpResponse<byte[]> bytes(String path, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api().base + path)).timeout(Duration.ofSeconds(30));
        if (key != null) b.header("X-Api-Key", key);
        try {
            return CLIENT.send(b.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void assertProblem(Resp r, int status, String type) {
        r.assertProblem(status, type);
    }

    private static BufferedImage image(byte[] png) {
        try {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
            assertThat(img).as("a readable PNG").isNotNull();
            return img;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Decodes as from a camera: finds the code anywhere in the image. */
    private static String decode(BufferedImage img) {
        return decode(img, DecodeHintType.TRY_HARDER);
    }

    /**
     * Decodes an image that is exactly a code on white, modules on a whole-pixel grid: works at one
     * pixel per module, where the camera-style detector gives up, and checks every module's place.
     */
    private static String decodePure(BufferedImage img) {
        return decode(img, DecodeHintType.PURE_BARCODE);
    }

    private static String decode(BufferedImage img, DecodeHintType mode) {
        Map<DecodeHintType, Object> hints = new EnumMap<>(DecodeHintType.class);
        hints.put(DecodeHintType.POSSIBLE_FORMATS, List.of(BarcodeFormat.QR_CODE));
        hints.put(mode, Boolean.TRUE);
        try {
            BinaryBitmap bitmap = new BinaryBitmap(new HybridBinarizer(new BufferedImageLuminanceSource(img)));
            return new MultiFormatReader().decode(bitmap, hints).getText();
        } catch (NotFoundException e) {
            throw new AssertionError("no QR code found in the image", e);
        }
    }

    private static boolean dark(BufferedImage img, int x, int y) {
        return (img.getRGB(x, y) & 0xffffff) == 0;
    }

    private static Document parse(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    private static String pathData(String svg) {
        try {
            Element path = (Element) parse(svg).getElementsByTagNameNS("*", "path").item(0);
            return path.getAttribute("d");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The side of the viewBox: modules of the code plus twice the margin. */
    private static int modules(String svg) {
        Matcher m = Pattern.compile("viewBox=\"0 0 (\\d+) \\1\"").matcher(svg);
        assertThat(m.find()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    /** Draws the SVG's runs on white at {@code scale} px per module: enough to decode it. */
    private static BufferedImage rasterise(String svg, int scale) {
        int box = modules(svg);
        BufferedImage img = new BufferedImage(box * scale, box * scale, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) img.setRGB(x, y, 0xffffff);
        }
        Matcher m = RUN.matcher(pathData(svg));
        while (m.find()) {
            int x0 = Integer.parseInt(m.group(1)) * scale;
            int y0 = Integer.parseInt(m.group(2)) * scale;
            int w = Integer.parseInt(m.group(3)) * scale;
            for (int y = y0; y < y0 + scale; y++) {
                for (int x = x0; x < x0 + w; x++) img.setRGB(x, y, 0);
            }
        }
        return img;
    }
}
