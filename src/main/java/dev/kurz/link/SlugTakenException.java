package dev.kurz.link;

import dev.kurz.problem.ProblemException;

/** A custom slug that another link already uses on the same domain. */
public final class SlugTakenException extends ProblemException {
    public SlugTakenException(String slug) {
        super("slug-taken", "Slug already taken", 409, "The slug '" + slug + "' is already used by another link");
    }
}
