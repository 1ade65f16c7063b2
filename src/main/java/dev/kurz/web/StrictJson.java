package dev.kurz.web;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;

/**
 * Request bodies as RFC 8259 JSON and nothing more: valid UTF-8 (no silent replacement
 * characters), no comments or other extensions, no duplicate keys (a second {@code "url"} must not
 * quietly win), no trailing content, bounded nesting. Numbers keep their written form: integers
 * stay integral types and anything with a fraction or an exponent ({@code 1e3}) is a Double, so a
 * field that wants a whole number can refuse it.
 */
final class StrictJson {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).build())
            .build();

    private StrictJson() {}

    /** The body as a JSON object; a {@link ApiProblems#malformedJson} problem otherwise. */
    static JsonObject object(Buffer raw) {
        if (raw == null || raw.length() == 0) throw ApiProblems.malformedJson("the body is empty");
        try (JsonParser p = FACTORY.createParser(raw.getBytes())) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) throw ApiProblems.malformedJson("expected a JSON object");
            JsonObject o = readObject(p);
            if (p.nextToken() != null) throw ApiProblems.malformedJson("unexpected content after the JSON object");
            return o;
        } catch (JsonParseException e) {
            throw ApiProblems.malformedJson(reason(e));
        } catch (IOException | RuntimeException e) {
            if (e instanceof dev.kurz.problem.ProblemException pe) throw pe;
            throw ApiProblems.malformedJson(e.getClass().getSimpleName().replace("Exception", "").toLowerCase(java.util.Locale.ROOT)
                    + ": " + firstLine(e.getMessage()));
        }
    }

    private static JsonObject readObject(JsonParser p) throws IOException {
        JsonObject o = new JsonObject();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            String name = p.currentName();
            p.nextToken();
            o.put(name, value(p));
        }
        return o;
    }

    private static Object value(JsonParser p) throws IOException {
        return switch (p.currentToken()) {
            case START_OBJECT -> readObject(p);
            case START_ARRAY -> {
                JsonArray a = new JsonArray();
                while (p.nextToken() != JsonToken.END_ARRAY) a.add(value(p));
                yield a;
            }
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT -> switch (p.getNumberType()) {
                case INT -> p.getIntValue();
                case LONG -> p.getLongValue();
                default -> p.getBigIntegerValue();
            };
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw ApiProblems.malformedJson("unexpected " + p.currentToken());
        };
    }

    /** Jackson's message without its source excerpt and location boilerplate. */
    private static String reason(JsonParseException e) {
        String m = e.getOriginalMessage();
        if (m == null) return "unreadable";
        m = firstLine(m);
        var loc = e.getLocation();
        return loc == null ? m : m + " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
    }

    private static String firstLine(String s) {
        if (s == null) return "unreadable";
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }
}
