package dev.kurz.link;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * QR codes of short URLs, as SVG (one path, horizontal runs of dark modules merged) or as a
 * black-on-white PNG. Pure: text in, bytes out; callers validate parameters against the constants.
 */
public final class QrCodes {
    public static final int MIN_SIZE = 64;
    public static final int MAX_SIZE = 2048;
    public static final int DEFAULT_SIZE = 256;
    public static final int MIN_MARGIN = 0;
    public static final int MAX_MARGIN = 16;
    /** The quiet zone the QR specification asks for. */
    public static final int DEFAULT_MARGIN = 4;
    public static final String ECC_LEVELS = "LMQH";
    public static final char DEFAULT_ECC = 'M';

    private QrCodes() {}

    /** True when {@code ecc} is one of L, M, Q, H (upper case). */
    public static boolean isEcc(char ecc) {
        return ECC_LEVELS.indexOf(ecc) >= 0;
    }

    /** An SVG of {@code size}×{@code size} px whose viewBox counts modules, quiet zone included. */
    public static String svg(String text, int size, int margin, char ecc) {
        check(size, margin, ecc);
        BitMatrix m = modules(text, ecc);
        int n = m.getWidth();
        int box = n + 2 * margin;
        StringBuilder path = new StringBuilder(n * n / 2);
        for (int y = 0; y < n; y++) {
            int x = 0;
            while (x < n) {
                if (!m.get(x, y)) {
                    x++;
                    continue;
                }
                int start = x;
                while (x < n && m.get(x, y)) x++;
                int run = x - start;
                path.append('M').append(start + margin).append(' ').append(y + margin)
                        .append('h').append(run).append("v1h-").append(run).append('z');
            }
        }
        String title = escapeXml(text);
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"" + title + "\""
                + " width=\"" + size + "\" height=\"" + size + "\" viewBox=\"0 0 " + box + " " + box + "\""
                + " shape-rendering=\"crispEdges\">"
                + "<title>" + title + "</title>"
                + "<rect width=\"" + box + "\" height=\"" + box + "\" fill=\"#fff\"/>"
                + "<path fill=\"#000\" d=\"" + path + "\"/>"
                + "</svg>\n";
    }

    /**
     * A {@code size}×{@code size} PNG. Each module is the largest whole number of pixels that fits
     * (fractional modules blur and scan badly); the leftover pixels are spread evenly around the
     * code. When even one pixel per module does not fit with the whole margin, the margin is cut
     * evenly: the image is white to its edge, so a smaller quiet zone still scans.
     *
     * @throws IllegalArgumentException when the code itself has more modules than {@code size} px
     */
    public static byte[] png(String text, int size, int margin, char ecc) {
        check(size, margin, ecc);
        BitMatrix m = modules(text, ecc);
        int n = m.getWidth();
        if (n > size) {
            throw new IllegalArgumentException("size: " + size + " px is too small for this QR code of " + n
                    + " modules; use at least " + n + " px or a lower error correction level");
        }
        int scale = Math.max(1, size / (n + 2 * margin));
        int offset = (size - n * scale) / 2;

        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_BINARY);
        WritableRaster raster = image.getRaster();
        int[] white = new int[size];
        Arrays.fill(white, 1);
        int[] row = new int[size];
        for (int py = 0; py < size; py++) {
            int my = py < offset ? -1 : (py - offset) / scale;
            if (my < 0 || my >= n) {
                raster.setPixels(0, py, size, 1, white);
                continue;
            }
            if ((py - offset) % scale == 0) {
                Arrays.fill(row, 1);
                for (int mx = 0; mx < n; mx++) {
                    if (m.get(mx, my)) Arrays.fill(row, offset + mx * scale, offset + (mx + 1) * scale, 0);
                }
            }
            raster.setPixels(0, py, size, 1, row);
        }

        ByteArrayOutputStream out = new ByteArrayOutputStream(size * size / 32 + 256);
        // An explicit in-memory stream: ImageIO's default may buffer through a temporary file.
        try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
            if (!ImageIO.write(image, "png", ios)) throw new IllegalStateException("no PNG writer in this JRE");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The code's modules, one bit each, without a quiet zone. */
    private static BitMatrix modules(String text, char ecc) {
        Map<EncodeHintType, Object> hints = Map.of(
                EncodeHintType.CHARACTER_SET, "UTF-8",
                EncodeHintType.ERROR_CORRECTION, ErrorCorrectionLevel.valueOf(String.valueOf(ecc)),
                EncodeHintType.MARGIN, 0);
        try {
            // Width and height 0: one bit per module, so the scaling stays ours.
            return new QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, 0, 0, hints);
        } catch (WriterException e) {
            throw new IllegalArgumentException("text: too long for a QR code (" + text.length() + " characters)", e);
        }
    }

    private static void check(int size, int margin, char ecc) {
        if (size < MIN_SIZE || size > MAX_SIZE) {
            throw new IllegalArgumentException("size: must be from " + MIN_SIZE + " to " + MAX_SIZE + " px, was " + size);
        }
        if (margin < MIN_MARGIN || margin > MAX_MARGIN) {
            throw new IllegalArgumentException("margin: must be from " + MIN_MARGIN + " to " + MAX_MARGIN + " modules, was " + margin);
        }
        if (!isEcc(ecc)) throw new IllegalArgumentException("ecc: must be one of L, M, Q, H, was " + ecc);
    }

    /** Text for XML or HTML text and attribute values (also what the smart links' pages escape with). */
    public static String escapeXml(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&apos;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
