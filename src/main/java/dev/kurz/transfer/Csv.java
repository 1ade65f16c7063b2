package dev.kurz.transfer;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 4180 CSV, streamed: {@link #next} reads one record at a time (quoted fields may hold commas,
 * quotes and line breaks). Lenient where exports are sloppy: a stray quote inside an unquoted
 * field is kept as text, a missing final line break is fine, a UTF-8 BOM is skipped.
 */
public final class Csv {
    private final Reader in;
    private final char[] buf = new char[64 * 1024];
    private int pos;
    private int len;
    private boolean started;
    private final StringBuilder field = new StringBuilder();

    public Csv(Reader in) {
        this.in = in;
    }

    /** The next record's fields, or null at the end of the input. A blank line is skipped. */
    public List<String> next() throws IOException {
        while (true) {
            int c = read();
            if (c < 0) return null;
            if (!started) {
                started = true;
                if (c == '\uFEFF') continue;
            }
            if (c == '\r' || c == '\n') continue; // blank line
            return record(c);
        }
    }

    private List<String> record(int first) throws IOException {
        List<String> fields = new ArrayList<>(8);
        int c = first;
        while (true) {
            field.setLength(0);
            if (c == '"') {
                while (true) {
                    c = read();
                    if (c < 0) break;
                    if (c == '"') {
                        c = read();
                        if (c == '"') {
                            field.append('"');
                            continue;
                        }
                        // closing quote: anything up to the separator is kept as text
                        while (c >= 0 && c != ',' && c != '\n' && c != '\r') {
                            field.append((char) c);
                            c = read();
                        }
                        break;
                    }
                    field.append((char) c);
                }
            } else {
                while (c >= 0 && c != ',' && c != '\n' && c != '\r') {
                    field.append((char) c);
                    c = read();
                }
            }
            fields.add(field.toString());
            if (c == ',') {
                c = read();
                if (c < 0 || c == '\n' || c == '\r') {
                    fields.add("");
                    if (c == '\r') skipLf();
                    return fields;
                }
                continue;
            }
            if (c == '\r') skipLf();
            return fields;
        }
    }

    private void skipLf() throws IOException {
        int c = read();
        if (c != '\n' && c >= 0) pos--;
    }

    private int read() throws IOException {
        if (pos == len) {
            len = in.read(buf, 0, buf.length);
            pos = 0;
            if (len <= 0) {
                len = 0;
                return -1;
            }
        }
        return buf[pos++];
    }

    /** One record as a CSV line (with its line break), quoting only fields that need it. */
    public static void line(StringBuilder out, List<?> fields) {
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) out.append(',');
            Object f = fields.get(i);
            if (f != null) field(out, f.toString());
        }
        out.append("\r\n");
    }

    static void field(StringBuilder out, String s) {
        boolean quote = false;
        for (int i = 0; i < s.length() && !quote; i++) {
            char c = s.charAt(i);
            quote = c == ',' || c == '"' || c == '\n' || c == '\r';
        }
        // Cells are written as they are (no formula defusing): an export must import back unchanged.
        if (!quote) {
            out.append(s);
            return;
        }
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') out.append('"');
            out.append(c);
        }
        out.append('"');
    }
}
