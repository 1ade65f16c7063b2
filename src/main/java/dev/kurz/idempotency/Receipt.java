package dev.kurz.idempotency;

/**
 * The answer to an idempotent request, to be stored in the same transaction as the links it
 * reports: {@code token} names the attempt that holds the claim, so an attempt that lost its claim
 * (it ran past its lease and a retry took over) stores nothing and its transaction rolls back.
 */
public record Receipt(long owner, String key, String token, int status, String body, String location) {}
