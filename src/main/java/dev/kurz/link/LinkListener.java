package dev.kurz.link;

/**
 * Told after a link was created, changed or deleted, once the change is durable. {@link #changed}
 * is the one thing every listener needs (caches forget the slug); the others carry the link for
 * listeners that show it (live dashboards).
 */
@FunctionalInterface
public interface LinkListener {
    void changed(String slug);

    default void created(Link link) {
        changed(link.slug());
    }

    default void updated(Link link) {
        changed(link.slug());
    }

    default void deleted(String slug) {
        changed(slug);
    }
}
