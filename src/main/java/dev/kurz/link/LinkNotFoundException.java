package dev.kurz.link;

import dev.kurz.problem.ProblemException;

/** No link has this slug (never created, or deleted). */
public final class LinkNotFoundException extends ProblemException {
    public LinkNotFoundException(String slug) {
        super("link-not-found", "Link not found", 404, "No link has the slug '" + slug + "'");
    }
}
