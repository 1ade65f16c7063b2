package dev.kurz.abuse;

import dev.kurz.problem.ProblemException;
import java.util.List;

/** The report cannot be taken as sent; each bad field is named with its reason. */
public final class InvalidReportException extends ProblemException {
    public InvalidReportException(List<FieldError> errors) {
        super("validation", "Invalid report", 400, errors.size() == 1
                ? errors.get(0).field() + ": " + errors.get(0).message()
                : errors.size() + " fields are invalid: " + String.join(", ", errors.stream().map(FieldError::field).toList()), errors);
    }
}
