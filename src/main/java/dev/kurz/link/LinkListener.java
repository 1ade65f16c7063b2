package dev.kurz.link;

/** Told after a link was created, changed or deleted, once the change is durable. */
@FunctionalInterface
public interface LinkListener {
    void changed(String slug);

    LinkListener NONE = slug -> {};
}
