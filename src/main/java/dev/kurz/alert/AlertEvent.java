package dev.kurz.alert;

import java.time.Instant;

/** A rule that fired: when, with what value, and the message shown to people. */
public record AlertEvent(long id, long ruleId, String slug, AlertRule.Kind kind, long value, String message, Instant firedAt) {}
