package dev.kurz.link;

import dev.kurz.problem.ProblemException.FieldError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link Smart} as JSON: the API's link fields {@code rules}, {@code variants}, {@code fallbackUrl},
 * {@code utm} and {@code preview}, and the same object in the {@code links.smart} column. Reading
 * collects a field error per value of the wrong shape; {@link LinkRules} checks the values.
 */
public final class SmartCodec {
    public static final Set<String> FIELDS = Set.of("rules", "variants", "fallbackUrl", "utm", "preview");
    private static final List<String> CONDITIONS = List.of("country", "device", "os", "browser", "language", "query");

    private SmartCodec() {}

    public static JsonObject toJson(Smart s) {
        JsonObject o = new JsonObject();
        if (s == null) return o;
        if (s.rules() != null) {
            JsonArray rules = new JsonArray();
            for (Smart.Rule r : s.rules()) {
                JsonObject when = new JsonObject();
                Smart.Condition c = r.when();
                putList(when, "country", c.country());
                putList(when, "device", c.device());
                putList(when, "os", c.os());
                putList(when, "browser", c.browser());
                putList(when, "language", c.language());
                if (c.query() != null && !c.query().isEmpty()) when.put("query", new JsonObject(new LinkedHashMap<>(c.query())));
                rules.add(new JsonObject().put("if", when).put("url", r.url()));
            }
            o.put("rules", rules);
        }
        if (s.variants() != null) {
            JsonArray vs = new JsonArray();
            for (Smart.Variant v : s.variants()) vs.add(new JsonObject().put("url", v.url()).put("weight", v.weight()));
            o.put("variants", vs);
        }
        if (s.fallbackUrl() != null) o.put("fallbackUrl", s.fallbackUrl());
        if (s.utm() != null) {
            Smart.Utm u = s.utm();
            o.put("utm", withoutNulls(new JsonObject().put("source", u.source()).put("medium", u.medium()).put("campaign", u.campaign())
                    .put("term", u.term()).put("content", u.content())));
        }
        if (s.preview() != null) {
            Smart.Preview p = s.preview();
            o.put("preview", withoutNulls(new JsonObject().put("title", p.title()).put("description", p.description()).put("image", p.image())));
        }
        return o;
    }

    /** The smart parts of {@code o} (absent or null ones null); shape errors go to {@code errors}. */
    public static Smart fromJson(JsonObject o, List<FieldError> errors) {
        return new Smart(rules(o.getValue("rules"), errors), variants(o.getValue("variants"), errors), string(o, "fallbackUrl", "fallbackUrl", errors),
                utm(o.getValue("utm"), errors), preview(o.getValue("preview"), errors));
    }

    /** The stored column back; null for null. */
    public static Smart decode(String column) {
        if (column == null) return null;
        List<FieldError> ignored = new ArrayList<>();
        return fromJson(new JsonObject(column), ignored).orNull();
    }

    public static String encode(Smart s) {
        return s == null ? null : toJson(s).encode();
    }

    private static List<Smart.Rule> rules(Object v, List<FieldError> errors) {
        if (v == null) return null;
        if (!(v instanceof JsonArray a)) {
            errors.add(new FieldError("rules", "must be an array of {\"if\": {…}, \"url\": …}"));
            return null;
        }
        List<Smart.Rule> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            String f = "rules[" + i + "]";
            if (!(a.getValue(i) instanceof JsonObject r)) {
                errors.add(new FieldError(f, "must be an object with \"if\" and \"url\""));
                continue;
            }
            for (String k : r.fieldNames()) {
                if (!k.equals("if") && !k.equals("url")) errors.add(new FieldError(f + "." + k, "is not a known field; known fields: if, url"));
            }
            Object when = r.getValue("if");
            Smart.Condition c = new Smart.Condition(null, null, null, null, null, null);
            if (when != null && !(when instanceof JsonObject)) {
                errors.add(new FieldError(f + ".if", "must be an object of conditions"));
            } else if (when instanceof JsonObject w) {
                for (String k : w.fieldNames()) {
                    if (!CONDITIONS.contains(k)) errors.add(new FieldError(f + ".if." + k, "is not a known condition; known: " + String.join(", ", CONDITIONS)));
                }
                c = new Smart.Condition(list(w, "country", f, errors), list(w, "device", f, errors), list(w, "os", f, errors),
                        list(w, "browser", f, errors), list(w, "language", f, errors), query(w.getValue("query"), f + ".if.query", errors));
            }
            out.add(new Smart.Rule(c, string(r, "url", f + ".url", errors)));
        }
        return out;
    }

    private static List<String> list(JsonObject w, String key, String f, List<FieldError> errors) {
        Object v = w.getValue(key);
        if (v == null) return null;
        if (v instanceof String s) return List.of(s);
        if (v instanceof JsonArray a) {
            List<String> out = new ArrayList<>(a.size());
            for (Object x : a) {
                if (!(x instanceof String s)) {
                    errors.add(new FieldError(f + ".if." + key, "must be an array of strings"));
                    return null;
                }
                out.add(s);
            }
            return out;
        }
        errors.add(new FieldError(f + ".if." + key, "must be an array of strings"));
        return null;
    }

    private static Map<String, String> query(Object v, String f, List<FieldError> errors) {
        if (v == null) return null;
        if (!(v instanceof JsonObject q)) {
            errors.add(new FieldError(f, "must be an object of parameter names to values"));
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String k : q.fieldNames()) {
            if (!(q.getValue(k) instanceof String s)) {
                errors.add(new FieldError(f + "." + k, "must be a string"));
                continue;
            }
            out.put(k, s);
        }
        return out;
    }

    private static List<Smart.Variant> variants(Object v, List<FieldError> errors) {
        if (v == null) return null;
        if (!(v instanceof JsonArray a)) {
            errors.add(new FieldError("variants", "must be an array of {\"url\": …, \"weight\": …}"));
            return null;
        }
        List<Smart.Variant> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            String f = "variants[" + i + "]";
            if (!(a.getValue(i) instanceof JsonObject o)) {
                errors.add(new FieldError(f, "must be an object with \"url\" and \"weight\""));
                continue;
            }
            for (String k : o.fieldNames()) {
                if (!k.equals("url") && !k.equals("weight")) errors.add(new FieldError(f + "." + k, "is not a known field; known fields: url, weight"));
            }
            Object w = o.getValue("weight");
            int weight = -1;
            if (w instanceof Integer || w instanceof Long || w instanceof Short) {
                long l = ((Number) w).longValue();
                weight = l < 0 || l > 100 ? -1 : (int) l;
            } else {
                errors.add(new FieldError(f + ".weight", "must be a whole number from 1 to 100"));
            }
            out.add(new Smart.Variant(string(o, "url", f + ".url", errors), weight));
        }
        return out;
    }

    private static Smart.Utm utm(Object v, List<FieldError> errors) {
        if (v == null) return null;
        if (!(v instanceof JsonObject o)) {
            errors.add(new FieldError("utm", "must be an object with source, medium, campaign, term or content"));
            return null;
        }
        known(o, "utm", List.of("source", "medium", "campaign", "term", "content"), errors);
        return new Smart.Utm(string(o, "source", "utm.source", errors), string(o, "medium", "utm.medium", errors),
                string(o, "campaign", "utm.campaign", errors), string(o, "term", "utm.term", errors), string(o, "content", "utm.content", errors));
    }

    private static Smart.Preview preview(Object v, List<FieldError> errors) {
        if (v == null) return null;
        if (!(v instanceof JsonObject o)) {
            errors.add(new FieldError("preview", "must be an object with title, description or image"));
            return null;
        }
        known(o, "preview", List.of("title", "description", "image"), errors);
        return new Smart.Preview(string(o, "title", "preview.title", errors), string(o, "description", "preview.description", errors),
                string(o, "image", "preview.image", errors));
    }

    private static void known(JsonObject o, String f, List<String> fields, List<FieldError> errors) {
        for (String k : o.fieldNames()) {
            if (!fields.contains(k)) errors.add(new FieldError(f + "." + k, "is not a known field; known fields: " + String.join(", ", fields)));
        }
    }

    private static String string(JsonObject o, String key, String f, List<FieldError> errors) {
        Object v = o.getValue(key);
        if (v == null || v instanceof String) return (String) v;
        errors.add(new FieldError(f, "must be a string"));
        return null;
    }

    private static void putList(JsonObject o, String key, List<String> values) {
        if (values != null && !values.isEmpty()) o.put(key, new JsonArray(new ArrayList<Object>(values)));
    }

    private static JsonObject withoutNulls(JsonObject o) {
        o.getMap().values().removeIf(java.util.Objects::isNull);
        return o;
    }
}
