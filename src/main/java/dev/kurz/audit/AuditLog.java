package dev.kurz.audit;

import dev.kurz.auth.ApiKey;
import dev.kurz.auth.Scope;
import dev.kurz.link.Link;
import dev.kurz.link.LinkService;
import dev.kurz.problem.ProblemException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The audit trail: who changed what, when, from where. Callers record a change after it is
 * committed and before they answer: each record is its own transaction (not the change's), durable
 * when the method returns; if it fails, the request fails although the change stands.
 *
 * <p>Actions are {@code <thing>.<past participle>}: {@code link.created}, {@code link.updated},
 * {@code link.deleted}, {@code key.created}, {@code key.revoked}, {@code alert.created},
 * {@code alert.deleted}; {@link #linkBlocked}, {@link #linkUnblocked} and {@link #settingChanged}
 * are ready for the features that need them. Targets read {@code link:<slug>} ({@code link:<host>/<slug>}
 * for a link on a branded domain: its key, so the same slug on two domains has two trails),
 * {@code key:<id>}, {@code alert:<id>}, {@code setting:<name>}. Blocking.
 */
public final class AuditLog {
    public static final String LINK_CREATED = "link.created";
    public static final String LINK_UPDATED = "link.updated";
    public static final String LINK_DELETED = "link.deleted";
    public static final String LINK_BLOCKED = "link.blocked";
    public static final String LINK_UNBLOCKED = "link.unblocked";
    public static final String KEY_CREATED = "key.created";
    public static final String KEY_REVOKED = "key.revoked";
    public static final String ALERT_CREATED = "alert.created";
    public static final String ALERT_DELETED = "alert.deleted";
    public static final String SETTING_CHANGED = "setting.changed";
    public static final int MAX_PAGE = 1000;
    public static final int DEFAULT_PAGE = 50;

    private final AuditStore store;
    private final InstantSource clock;
    private final UnaryOperator<String> ipPolicy;

    /** @param ipPolicy what of a client's address to keep (KURZ_STORE_IP: none, anonymized, full) */
    public AuditLog(AuditStore store, InstantSource clock, UnaryOperator<String> ipPolicy) {
        this.store = store;
        this.clock = clock;
        this.ipPolicy = ipPolicy;
    }

    /** Records one change; {@code changes} maps fields to {@code {"before":…,"after":…}}. For any action not covered below. */
    public void record(Actor who, String action, String target, JsonObject changes) {
        store.append(List.of(entry(who, action, target, changes)));
    }

    // ---- links ----

    public void linkCreated(Actor who, Link link) {
        linksCreated(who, List.of(link));
    }

    /** A batch's created links, recorded together in one transaction. */
    public void linksCreated(Actor who, List<Link> links) {
        if (links.isEmpty()) return;
        List<AuditStore.Entry> entries = new ArrayList<>(links.size());
        for (Link l : links) entries.add(entry(who, LINK_CREATED, linkTarget(l.key()), diff(null, fields(l))));
        store.append(entries);
    }

    /** Records the fields a change altered; nothing when it altered none. */
    public void linkUpdated(Actor who, LinkService.Change change) {
        JsonObject changes = diff(fields(change.before()), fields(change.after()));
        if (!changes.isEmpty()) record(who, LINK_UPDATED, linkTarget(change.after().key()), changes);
    }

    public void linkDeleted(Actor who, Link link) {
        record(who, LINK_DELETED, linkTarget(link.key()), diff(fields(link), null));
    }

    /** For link blocking (abuse handling): the link's key and why. */
    public void linkBlocked(Actor who, String key, String reason) {
        record(who, LINK_BLOCKED, linkTarget(key), new JsonObject().put("blocked", change(false, true)).put("reason", change(null, reason)));
    }

    public void linkUnblocked(Actor who, String key) {
        record(who, LINK_UNBLOCKED, linkTarget(key), new JsonObject().put("blocked", change(true, false)));
    }

    // ---- keys, alerts, settings ----

    /** A key made: its name, prefix and scopes, never its secret (the log never sees it). */
    public void keyCreated(Actor who, ApiKey key) {
        record(who, KEY_CREATED, "key:" + key.id(), diff(null, keyFields(key)));
    }

    public void keyRevoked(Actor who, ApiKey key) {
        record(who, KEY_REVOKED, "key:" + key.id(), new JsonObject()
                .put("name", new JsonObject().put("before", key.name()))
                .put("revokedAt", change(null, key.revokedAt() == null ? null : key.revokedAt().toString())));
    }

    public void alertCreated(Actor who, long id, JsonObject rule) {
        JsonObject fields = rule.copy();
        fields.remove("id");
        record(who, ALERT_CREATED, "alert:" + id, diff(null, fields));
    }

    public void alertDeleted(Actor who, long id) {
        record(who, ALERT_DELETED, "alert:" + id, new JsonObject());
    }

    /** A setting changed from {@code before} to {@code after} (JSON values; never pass a secret). */
    public void settingChanged(Actor who, String name, Object before, Object after) {
        record(who, SETTING_CHANGED, "setting:" + name, new JsonObject().put("value", change(before, after)));
    }

    // ---- reading ----

    /** A page of events, newest first; {@code nextCursor} is null on the last page. */
    public record Page(List<AuditEvent> items, String nextCursor) {}

    public Page list(int limit, String cursor, String action, String target) {
        Long before = cursor == null || cursor.isBlank() ? null : decodeCursor(cursor);
        List<AuditEvent> rows = store.list(before, blankToNull(action), blankToNull(target), limit + 1);
        if (rows.size() <= limit) return new Page(rows, null);
        List<AuditEvent> items = List.copyOf(rows.subList(0, limit));
        return new Page(items, encodeCursor(items.get(limit - 1).id()));
    }

    /** Deletes events older than {@code retention}; returns how many. */
    public long purgeOlderThan(Duration retention) {
        return store.purgeBefore(clock.instant().minus(retention));
    }

    public static JsonObject toJson(AuditEvent e) {
        return new JsonObject()
                .put("id", e.id())
                .put("at", e.at().toString())
                .put("action", e.action())
                .put("target", e.target())
                .put("key", e.keyId() == null && e.keyName() == null ? null : new JsonObject().put("id", e.keyId()).put("name", e.keyName()))
                .put("ip", e.ip())
                .put("requestId", e.requestId())
                .put("changes", e.changes());
    }

    // ---- helpers ----

    private AuditStore.Entry entry(Actor who, String action, String target, JsonObject changes) {
        String ip = who.ip() == null ? null : ipPolicy.apply(who.ip());
        return new AuditStore.Entry(clock.instant(), who.keyId(), who.keyName(), ip, who.requestId(), action, target,
                changes == null ? new JsonObject() : changes);
    }

    /** @param key the link's key ({@link dev.kurz.link.LinkKeys}) */
    static String linkTarget(String key) {
        return "link:" + key;
    }

    /** The fields of a link a person changes (not its counters or timestamps). */
    static JsonObject fields(Link l) {
        return new JsonObject()
                .put("url", l.url())
                .put("title", l.title())
                .put("tags", new JsonArray(new ArrayList<Object>(l.tags())))
                .put("expiresAt", l.expiresAt() == null ? null : l.expiresAt().toString())
                .put("maxClicks", l.maxClicks())
                .put("redirectType", l.redirectType())
                .put("forwardQuery", l.forwardQuery())
                .put("smart", dev.kurz.link.SmartCodec.toJson(l.smart()))
                .put("passwordProtected", l.passwordHash() != null);
    }

    private static JsonObject keyFields(ApiKey k) {
        return new JsonObject()
                .put("name", k.name())
                .put("prefix", k.prefix())
                .put("scopes", new JsonArray(k.scopes().stream().map(Scope::label).sorted().map(Object.class::cast).toList()));
    }

    /** Field by field: {@code before} and {@code after} where they differ; a null side is omitted. */
    static JsonObject diff(JsonObject before, JsonObject after) {
        JsonObject out = new JsonObject();
        List<String> names = new ArrayList<>();
        if (before != null) names.addAll(before.fieldNames());
        if (after != null) after.fieldNames().stream().filter(n -> !names.contains(n)).forEach(names::add);
        for (String n : names) {
            Object b = before == null ? null : before.getValue(n);
            Object a = after == null ? null : after.getValue(n);
            if (before != null && after != null && Objects.equals(b, a)) continue;
            JsonObject c = new JsonObject();
            if (before != null) c.put("before", b);
            if (after != null) c.put("after", a);
            out.put(n, c);
        }
        return out;
    }

    private static JsonObject change(Object before, Object after) {
        return new JsonObject().put("before", before).put("after", after);
    }

    static String encodeCursor(long id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("a" + id).getBytes(StandardCharsets.UTF_8));
    }

    static Long decodeCursor(String cursor) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(cursor.strip()), StandardCharsets.UTF_8);
            if (s.startsWith("a")) return Long.parseLong(s.substring(1));
        } catch (IllegalArgumentException ignored) {
            // reported below
        }
        throw new ProblemException("bad-request", "Bad request", 400,
                "cursor: not a cursor this API returned; pass nextCursor from the previous page unchanged");
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
