package dev.kurz.webhook;

import dev.kurz.link.Link;
import io.vertx.core.json.JsonObject;
import java.time.InstantSource;
import java.util.function.Function;

/**
 * The events of link changes, made inside the change's transaction by the store that writes it
 * (so the outbox row commits or rolls back with the change). The request id comes from the
 * writing thread's log context.
 */
public final class LinkEvents {
    private final Function<Link, JsonObject> render;
    private final InstantSource clock;

    /** @param render a link as the API shows it */
    public LinkEvents(Function<Link, JsonObject> render, InstantSource clock) {
        this.render = render;
        this.clock = clock;
    }

    public Event created(Link l) {
        return event(EventTypes.LINK_CREATED, l.slug(), render.apply(l));
    }

    public Event updated(Link l) {
        return event(EventTypes.LINK_UPDATED, l.slug(), render.apply(l));
    }

    public Event deleted(long id, String slug, String url) {
        return event(EventTypes.LINK_DELETED, slug, new JsonObject().put("id", id).put("slug", slug).put("url", url));
    }

    /** The time a change without its own timestamp (a deletion) is written at. */
    public long now() {
        return clock.millis();
    }

    private Event event(String type, String slug, JsonObject data) {
        return new Event(type, EventTypes.linkKey(slug), data, Event.currentRequestId(), clock.instant());
    }
}
