package dev.kurz.problem;

import java.util.List;

/**
 * A failure a client can act on, carrying its RFC 9457 fields: each situation is its own subclass
 * (or named factory), so the HTTP mapper stays a few lines and the {@code type} stays stable.
 */
public class ProblemException extends RuntimeException {
    private final String type;
    private final String title;
    private final int status;
    private final List<FieldError> errors;

    /** One bad field of a request: which one and why, in words a person understands. */
    public record FieldError(String field, String message) {}

    public ProblemException(String type, String title, int status, String detail, List<FieldError> errors) {
        super(detail, null, false, false);
        this.type = type;
        this.title = title;
        this.status = status;
        this.errors = List.copyOf(errors);
    }

    public ProblemException(String type, String title, int status, String detail) {
        this(type, title, status, detail, List.of());
    }

    /** The stable URN of this situation, e.g. {@code urn:kurz:problem:slug-taken}. */
    public String type() {
        return "urn:kurz:problem:" + type;
    }

    public String title() {
        return title;
    }

    public int status() {
        return status;
    }

    public String detail() {
        return getMessage();
    }

    public List<FieldError> errors() {
        return errors;
    }
}
