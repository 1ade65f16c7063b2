package dev.kurz.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** Bytes on a socket, for requests no HTTP client would send (smuggling, control characters, slow bodies). */
public final class RawHttp implements AutoCloseable {
    public final Socket socket;

    public RawHttp(int port) {
        try {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(15_000);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public RawHttp send(String text) {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawHttp send(byte[] bytes) {
        try {
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the server writes until it closes the connection or {@code millis} pass. */
    public Reply readUntilClose(int millis) {
        return read(millis, text -> false);
    }

    /**
     * One whole answer (its head, and as many body bytes as its {@code Content-Length} says), read
     * without waiting for the connection to close; what came by {@code millis} if it is not complete.
     */
    public Reply readAnswer(int millis) {
        return read(millis, RawHttp::complete);
    }

    private Reply read(int millis, java.util.function.Predicate<String> enough) {
        long t0 = System.nanoTime();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean closed = false, reset = false;
        try {
            socket.setSoTimeout(millis);
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[8192];
            while (!enough.test(out.toString(StandardCharsets.ISO_8859_1))) {
                int n = in.read(buf);
                if (n < 0) {
                    closed = true;
                    break;
                }
                out.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            // still open, or the answer incomplete
        } catch (IOException e) {
            closed = reset = true;
        }
        return new Reply(out.toString(StandardCharsets.ISO_8859_1), closed, reset, (System.nanoTime() - t0) / 1_000_000);
    }

    private static boolean complete(String text) {
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) return false;
        var m = java.util.regex.Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(text.substring(0, end));
        return !m.find() || text.length() - end - 4 >= Integer.parseInt(m.group(1));
    }

    /** The server's bytes, whether it closed the connection (and whether by a reset), and how long that took. */
    public record Reply(String text, boolean closed, boolean reset, long millis) {
        public int status() {
            if (!text.startsWith("HTTP/1.")) return -1;
            return Integer.parseInt(text.substring(9, 12));
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
