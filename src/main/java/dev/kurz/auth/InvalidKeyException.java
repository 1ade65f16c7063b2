package dev.kurz.auth;

import dev.kurz.problem.ProblemException;
import java.util.List;

/** A key request Kurz will not honour; each bad field is named with its reason. */
public final class InvalidKeyException extends ProblemException {
    public InvalidKeyException(List<FieldError> errors) {
        super("validation", "Invalid API key request", 400, summary(errors), errors);
    }

    public static InvalidKeyException of(String field, String message) {
        return new InvalidKeyException(List.of(new FieldError(field, message)));
    }

    private static String summary(List<FieldError> errors) {
        if (errors.size() == 1) return errors.get(0).field() + ": " + errors.get(0).message();
        return errors.size() + " fields are invalid: " + String.join(", ", errors.stream().map(FieldError::field).toList());
    }
}
