package dev.kurz.webhook;

import java.util.List;
import java.util.Set;

/** The event types an endpoint may subscribe to, and the order keys that keep one subject's events in order. */
public final class EventTypes {
    public static final String LINK_CREATED = "link.created";
    public static final String LINK_UPDATED = "link.updated";
    public static final String LINK_DELETED = "link.deleted";
    public static final String LINK_CLICKED = "link.clicked";
    public static final String ALERT_FIRED = "alert.fired";
    public static final String IMPORT_FINISHED = "import.finished";
    public static final String LINK_BROKEN = "link.broken";
    public static final List<String> ALL = List.of(LINK_CREATED, LINK_UPDATED, LINK_DELETED, LINK_CLICKED, ALERT_FIRED,
            IMPORT_FINISHED, LINK_BROKEN);
    static final Set<String> KNOWN = Set.copyOf(ALL);

    private EventTypes() {}

    /** Events about one link share its key: an endpoint receives them in the order they happened. */
    public static String linkKey(String slug) {
        return "link:" + slug;
    }
}
