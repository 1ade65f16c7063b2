package dev.kurz.transfer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads an import file one row at a time, never the whole file: CSV through {@link Csv}, JSON
 * through Jackson's streaming parser. A record the format cannot read becomes a row with a
 * {@code problem}; only a file that is not CSV or JSON at all (broken JSON syntax) stops the read.
 */
public final class RowReader implements Closeable {
    private static final JsonFactory JSON = new JsonFactory();

    private final ImportFormat format;
    private final Map<String, List<String>> columns;
    private final InputStream in;
    private Csv csv;
    private List<String> header;
    private List<String> pending;
    private JsonParser json;
    private long row;

    public RowReader(ImportFormat format, InputStream raw) throws IOException {
        this.format = format;
        this.columns = format.columns();
        this.in = raw instanceof BufferedInputStream ? raw : new BufferedInputStream(raw, 64 * 1024);
        int first = firstSignificantByte();
        if (first == '[' || first == '{') {
            openJson(first);
        } else {
            csv = new Csv(new InputStreamReader(in, StandardCharsets.UTF_8));
            List<String> r = csv.next();
            if (r != null && looksLikeHeader(r)) {
                header = r.stream().map(ImportFormat::key).toList();
            } else {
                header = format.defaultColumns.stream().map(ImportFormat::key).toList();
                pending = r;
            }
        }
    }

    /** The next row, or null at the end. */
    public ImportRow next() throws IOException {
        Map<String, String> record = json != null ? nextJson() : nextCsv();
        if (record == null) return null;
        return toRow(++row, record);
    }

    /** The number of rows left, read without interpreting them (the job's total). */
    public long count() throws IOException {
        long n = 0;
        while ((json != null ? nextJson() : nextCsv()) != null) n++;
        return n;
    }

    /** Reads and drops {@code n} rows (a resumed job's checkpoint). */
    public void skip(long n) throws IOException {
        for (long i = 0; i < n; i++) {
            if ((json != null ? nextJson() : nextCsv()) == null) return;
            row++;
        }
    }

    // ---- CSV ----

    private Map<String, String> nextCsv() throws IOException {
        List<String> r = pending != null ? pending : csv.next();
        pending = null;
        if (r == null) return null;
        Map<String, String> m = new HashMap<>(header.size() * 2);
        for (int i = 0; i < r.size() && i < header.size(); i++) m.putIfAbsent(header.get(i), r.get(i));
        return m;
    }

    /** A first record is a header when one of its cells names a column this format reads, and none is a URL. */
    private boolean looksLikeHeader(List<String> r) {
        for (String cell : r) {
            String c = cell.strip().toLowerCase(Locale.ROOT);
            if (c.startsWith("http://") || c.startsWith("https://")) return false;
        }
        for (String cell : r) {
            String k = ImportFormat.key(cell);
            for (List<String> names : columns.values()) if (names.contains(k)) return true;
        }
        return false;
    }

    // ---- JSON ----

    private int firstSignificantByte() throws IOException {
        in.mark(4096);
        int c;
        int n = 0;
        do {
            c = in.read();
            n++;
        } while (c >= 0 && n < 4096 && (Character.isWhitespace(c) || c == 0xEF || c == 0xBB || c == 0xBF));
        in.reset();
        return c;
    }

    private void openJson(int first) throws IOException {
        json = JSON.createParser(in);
        JsonToken t = json.nextToken();
        if (first == '{') {
            // {"links": [...]} (Kurz), {"data": [...]} (Kutt's API lists): find the array.
            while ((t = json.nextToken()) != null && t != JsonToken.END_OBJECT) {
                if (t == JsonToken.FIELD_NAME) {
                    String name = json.currentName();
                    t = json.nextToken();
                    if (t == JsonToken.START_ARRAY && (name.equals("links") || name.equals("data") || name.equals("items"))) return;
                    json.skipChildren();
                }
            }
            throw new IOException("the JSON object has no \"links\" or \"data\" array of links");
        }
        if (t != JsonToken.START_ARRAY) throw new IOException("expected a JSON array of links");
    }

    private Map<String, String> nextJson() throws IOException {
        while (true) {
            JsonToken t = json.nextToken();
            if (t == null || t == JsonToken.END_ARRAY) return null;
            if (t != JsonToken.START_OBJECT) {
                json.skipChildren();
                return Map.of("#problem", "is not a JSON object");
            }
            Map<String, String> m = new HashMap<>();
            while ((t = json.nextToken()) == JsonToken.FIELD_NAME) {
                String name = ImportFormat.key(json.currentName());
                t = json.nextToken();
                switch (t) {
                    case VALUE_STRING, VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE -> m.put(name, json.getText());
                    case START_ARRAY -> {
                        // tags: ["a", "b"] or [{"name": "a"}]
                        List<String> items = new ArrayList<>();
                        while ((t = json.nextToken()) != JsonToken.END_ARRAY) {
                            if (t == JsonToken.START_OBJECT) {
                                while ((t = json.nextToken()) == JsonToken.FIELD_NAME) {
                                    String f = json.currentName();
                                    t = json.nextToken();
                                    if (t.isScalarValue() && (f.equals("name") || f.equals("tag"))) items.add(json.getText());
                                    else json.skipChildren();
                                }
                            } else if (t.isScalarValue()) {
                                items.add(json.getText());
                            } else {
                                json.skipChildren();
                            }
                        }
                        m.put(name, String.join("\u001F", items));
                    }
                    case START_OBJECT -> json.skipChildren();
                    default -> { } // null
                }
            }
            return m;
        }
    }

    // ---- mapping ----

    private String field(Map<String, String> record, String kurzField) {
        List<String> names = columns.get(kurzField);
        if (names == null) return null;
        for (String n : names) {
            String v = record.get(n);
            if (v != null && !v.isBlank()) return v.strip();
        }
        return null;
    }

    private ImportRow toRow(long n, Map<String, String> r) {
        String problem = r.get("#problem");
        List<String> problems = new ArrayList<>();
        if (problem != null) problems.add(problem);
        String url = field(r, "url");
        String slug = slugOf(field(r, "slug"));
        String title = field(r, "title");
        List<String> tags = tags(field(r, "tags"));
        String createdText = field(r, "createdAt");
        Instant created = instant(createdText, "createdAt", problems);
        long clicks = 0;
        String clicksText = field(r, "clicks");
        if (clicksText != null) {
            try {
                clicks = Long.parseLong(clicksText.replace(",", "").replace("_", ""));
                if (clicks < 0) throw new NumberFormatException();
            } catch (NumberFormatException e) {
                problems.add("clicks: '" + cut(clicksText) + "' is not a whole number of 0 or more");
            }
        }
        Instant expires = instant(field(r, "expiresAt"), "expiresAt", problems);
        Long maxClicks = null;
        String max = field(r, "maxClicks");
        if (max != null) {
            try {
                maxClicks = Long.parseLong(max);
            } catch (NumberFormatException e) {
                problems.add("maxClicks: '" + cut(max) + "' is not a whole number");
            }
        }
        Integer redirectType = null;
        String type = field(r, "redirectType");
        if (type != null) {
            try {
                redirectType = Integer.parseInt(type);
            } catch (NumberFormatException e) {
                problems.add("redirectType: '" + cut(type) + "' is not 301, 302, 307 or 308");
            }
        }
        Boolean forwardQuery = null;
        String fq = field(r, "forwardQuery");
        if (fq != null) {
            if (fq.equalsIgnoreCase("true") || fq.equals("1")) forwardQuery = true;
            else if (fq.equalsIgnoreCase("false") || fq.equals("0")) forwardQuery = false;
            else problems.add("forwardQuery: '" + cut(fq) + "' is not true or false");
        }
        return new ImportRow(n, url, slug, title, tags, createdText, created, clicks, expires, maxClicks, redirectType, forwardQuery,
                problems.isEmpty() ? null : String.join("; ", problems));
    }

    /** A short link's back-half: the last path segment of a short URL ("bit.ly/abc" → abc), or the value itself. */
    private String slugOf(String v) {
        if (v == null) return null;
        String s = v;
        if (format != ImportFormat.KURZ && format != ImportFormat.CSV) {
            int sep = s.indexOf('\u001F'); // custom_bitlinks as a JSON array: the first one
            if (sep < 0 && format == ImportFormat.BITLY) sep = firstOf(s, " ,|;");
            if (sep > 0) s = s.substring(0, sep);
            int q = firstOf(s, "?#");
            if (q >= 0) s = s.substring(0, q);
            while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
            if (s.contains("/")) s = s.substring(s.lastIndexOf('/') + 1);
        }
        return s.isEmpty() ? null : s;
    }

    private static int firstOf(String s, String chars) {
        for (int i = 0; i < s.length(); i++) if (chars.indexOf(s.charAt(i)) >= 0) return i;
        return -1;
    }

    private List<String> tags(String v) {
        if (v == null) return List.of();
        List<String> out = new ArrayList<>();
        String seps = format.tagSeparators + "\u001F";
        int start = 0;
        for (int i = 0; i <= v.length(); i++) {
            if (i == v.length() || seps.indexOf(v.charAt(i)) >= 0) {
                String t = v.substring(start, i).strip();
                if (!t.isEmpty()) out.add(t);
                start = i + 1;
            }
        }
        return out;
    }

    private static final DateTimeFormatter OFFSET = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd['T'][' ']HH:mm[:ss][.SSSSSSSSS][.SSSSSS][.SSS]")
            .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
            .optionalStart().appendPattern(" z").optionalEnd()
            .toFormatter(Locale.ROOT);

    /**
     * An instant from the ways exports write one: ISO 8601 with or without offset ("+0000" too),
     * {@code Y-m-d H:i:s} (YOURLS, read as UTC), a date, or epoch seconds or milliseconds.
     */
    static Instant instant(String text, String name, List<String> problems) {
        if (text == null) return null;
        String s = text.strip();
        try {
            if (s.length() >= 20 && s.charAt(s.length() - 1) == 'Z' && s.charAt(10) == 'T') {
                try {
                    return Instant.parse(s); // the common case (Kurz, Kutt, most APIs), much cheaper than the general parser
                } catch (DateTimeParseException notPlain) {
                    // fall through
                }
            }
            if (s.chars().allMatch(Character::isDigit) && s.length() >= 9 && s.length() <= 13) {
                long v = Long.parseLong(s);
                return s.length() <= 10 ? Instant.ofEpochSecond(v) : Instant.ofEpochMilli(v);
            }
            if (s.length() == 10) return LocalDate.parse(s).atStartOfDay().toInstant(ZoneOffset.UTC);
            var parsed = OFFSET.parseBest(s, OffsetDateTime::from, LocalDateTime::from);
            return parsed instanceof OffsetDateTime o ? o.toInstant() : ((LocalDateTime) parsed).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException | ArithmeticException e) {
            problems.add(name + ": '" + cut(s) + "' is not a date and time (use ISO 8601, e.g. 2024-05-01T12:00:00Z)");
            return null;
        }
    }

    private static String cut(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    @Override
    public void close() throws IOException {
        if (json != null) json.close();
        in.close();
    }
}
