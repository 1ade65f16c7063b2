package dev.kurz.link;

import dev.kurz.problem.ProblemException;
import java.util.List;

/** The request describes a link Kurz will not store; each bad field is named with its reason. */
public final class InvalidLinkException extends ProblemException {
    public InvalidLinkException(List<FieldError> errors) {
        super("validation", "Invalid link", 400, summary(errors), errors);
    }

    public static InvalidLinkException of(String field, String message) {
        return new InvalidLinkException(List.of(new FieldError(field, message)));
    }

    private static String summary(List<FieldError> errors) {
        if (errors.size() == 1) return errors.get(0).field() + ": " + errors.get(0).message();
        return errors.size() + " fields are invalid: " + String.join(", ", errors.stream().map(FieldError::field).toList());
    }
}
