package dev.kurz.alert;

import java.time.Instant;
import java.util.List;

/** Where alert rules and their events live. Blocking. */
public interface AlertStore {
    AlertRule insertRule(String slug, AlertRule.Kind kind, long threshold, int windowMinutes, int cooldownMinutes, Instant now);

    List<AlertRule> rules();

    boolean deleteRule(long id);

    /**
     * Marks the rule fired at {@code now} if it has not fired within its cooldown — atomically, so
     * when several nodes see the same condition only one of them fires.
     */
    boolean tryFire(long ruleId, Instant now, Instant notFiredSince);

    AlertEvent insertEvent(long ruleId, String slug, AlertRule.Kind kind, long value, String message, Instant firedAt);

    /** Newest first, strictly older than {@code beforeId} when given. */
    List<AlertEvent> events(Long beforeId, int limit);
}
