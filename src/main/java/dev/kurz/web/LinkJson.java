package dev.kurz.web;

import dev.kurz.link.InvalidLinkException;
import dev.kurz.link.Link;
import dev.kurz.link.LinkDraft;
import dev.kurz.link.LinkPatch;
import dev.kurz.link.SmartCodec;
import dev.kurz.problem.ProblemException.FieldError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Links to and from the API's JSON. Type errors become field errors, like the domain's own rules. */
public final class LinkJson {
    static final Set<String> FIELDS = Set.of("url", "slug", "title", "tags", "expiresAt", "maxClicks", "redirectType", "forwardQuery",
            "domain", "rules", "variants", "fallbackUrl", "utm", "preview", "password");

    private LinkJson() {}

    /** The URL to share: the base URL's scheme and the link's domain, or the base URL on the default domain. */
    static String shortUrl(Link l, String base) {
        return (l.domain() == null ? base : base.substring(0, base.indexOf("://") + 3) + l.domain()) + "/" + l.slug();
    }

    public static JsonObject toJson(Link l, String base) {
        JsonObject smart = SmartCodec.toJson(l.smart());
        return new JsonObject()
                .put("slug", l.slug())
                .put("domain", l.domain() == null ? java.net.URI.create(base).getHost() : l.domain())
                .put("shortUrl", shortUrl(l, base))
                .put("url", l.url())
                .put("title", l.title())
                .put("tags", new JsonArray(new ArrayList<Object>(l.tags())))
                .put("expiresAt", l.expiresAt() == null ? null : l.expiresAt().toString())
                .put("maxClicks", l.maxClicks())
                .put("redirectType", l.redirectType())
                .put("forwardQuery", l.forwardQuery())
                .put("createdAt", l.createdAt().toString())
                .put("updatedAt", l.updatedAt().toString())
                .put("clicks", l.clicks())
                .put("blocked", AbuseJson.block(l.blocked()))
                .put("rules", smart.getValue("rules"))
                .put("variants", smart.getValue("variants"))
                .put("fallbackUrl", smart.getValue("fallbackUrl"))
                .put("utm", smart.getValue("utm"))
                .put("preview", smart.getValue("preview"))
                .put("passwordProtected", l.passwordHash() != null);
    }

    static LinkDraft draft(JsonObject o) {
        Reader r = new Reader(o);
        r.rejectUnknown();
        LinkDraft d = new LinkDraft(r.string("url"), r.string("slug"), r.string("title"), r.tags(), r.instant("expiresAt"),
                r.integer("maxClicks"), r.intOrNull("redirectType"), r.bool("forwardQuery"), r.string("domain"),
                SmartCodec.fromJson(o, r.errors).orNull(), r.string("password"));
        r.throwIfAny();
        return d;
    }

    static LinkPatch patch(JsonObject o) {
        Reader r = new Reader(o);
        r.rejectUnknown();
        if (o.containsKey("slug")) r.errors.add(new FieldError("slug", "cannot be changed; create a new link instead"));
        if (o.containsKey("domain")) r.errors.add(new FieldError("domain", "cannot be changed; create the link on the other domain instead"));
        boolean smart = o.fieldNames().stream().anyMatch(SmartCodec.FIELDS::contains);
        LinkPatch p = new LinkPatch(new HashSet<>(o.fieldNames()), r.string("url"), r.string("title"), r.tags(),
                r.instant("expiresAt"), r.integer("maxClicks"), r.intOrNull("redirectType"), r.bool("forwardQuery"),
                smart ? SmartCodec.fromJson(o, r.errors) : null, r.string("password"));
        r.throwIfAny();
        return p;
    }

    /** Reads typed fields, collecting a field error for each value of the wrong type. */
    private static final class Reader {
        final JsonObject o;
        final List<FieldError> errors = new ArrayList<>();

        Reader(JsonObject o) {
            this.o = o;
        }

        void rejectUnknown() {
            for (String f : o.fieldNames()) {
                if (!FIELDS.contains(f)) errors.add(new FieldError(f, "is not a known field; known fields: " + String.join(", ", FIELDS.stream().sorted().toList())));
            }
        }

        String string(String f) {
            Object v = o.getValue(f);
            if (v == null || v instanceof String) return (String) v;
            errors.add(new FieldError(f, "must be a string"));
            return null;
        }

        Boolean bool(String f) {
            Object v = o.getValue(f);
            if (v == null || v instanceof Boolean) return (Boolean) v;
            errors.add(new FieldError(f, "must be true or false"));
            return null;
        }

        Long integer(String f) {
            Object v = o.getValue(f);
            if (v == null) return null;
            if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) return ((Number) v).longValue();
            // 1e3, 10.0 and numbers past a long are refused rather than guessed at.
            errors.add(new FieldError(f, v instanceof BigInteger ? "is too large" : "must be a whole number written without a fraction or exponent"));
            return null;
        }

        Integer intOrNull(String f) {
            Long v = integer(f);
            if (v == null) return null;
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) return -1;
            return v.intValue();
        }

        Instant instant(String f) {
            String s = string(f);
            if (s == null) return null;
            try {
                return dev.kurz.link.Rfc3339.parse(s).truncatedTo(ChronoUnit.MILLIS);
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError(f, "must be an RFC 3339 date-time with a four-digit year, such as 2030-01-31T23:59:00Z"));
                return null;
            }
        }

        List<String> tags() {
            Object v = o.getValue("tags");
            if (v == null) return null;
            if (v instanceof JsonArray a) {
                List<String> out = new ArrayList<>(a.size());
                for (Object t : a) {
                    if (!(t instanceof String s)) {
                        errors.add(new FieldError("tags", "must be an array of strings"));
                        return null;
                    }
                    out.add(s);
                }
                return out;
            }
            errors.add(new FieldError("tags", "must be an array of strings"));
            return null;
        }

        void throwIfAny() {
            if (!errors.isEmpty()) throw new InvalidLinkException(errors);
        }
    }
}
