package dev.kurz.webhook;

import dev.kurz.problem.ProblemException;
import java.util.List;

/** The webhook API's problems, each with its stable type. */
final class WebhookProblems {
    private WebhookProblems() {}

    static ProblemException notFound(String id) {
        return new ProblemException("webhook-not-found", "Webhook not found", 404, "No webhook has the id " + id);
    }

    static ProblemException deliveryNotFound(String id) {
        return new ProblemException("webhook-delivery-not-found", "Webhook delivery not found", 404, "This webhook has no delivery " + id);
    }

    static ProblemException notFinished(long id) {
        return new ProblemException("webhook-delivery-pending", "Webhook delivery still pending", 409,
                "Delivery " + id + " is queued or running; only a delivered or dead delivery can be retried");
    }

    static ProblemException invalid(String field, String message) {
        return new ProblemException("validation", "Invalid webhook", 400, field + ": " + message,
                List.of(new ProblemException.FieldError(field, message)));
    }
}
