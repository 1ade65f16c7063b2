package dev.kurz.link;

import dev.kurz.problem.ProblemException;
import java.util.List;

/** The destination is refused by abuse screening (private address, blocklist, homograph, shortener); 400. */
public final class BlockedDestinationException extends ProblemException {
    public BlockedDestinationException(String reason) {
        super("blocked-destination", "Destination refused", 400, "url: " + reason, List.of(new FieldError("url", reason)));
    }
}
