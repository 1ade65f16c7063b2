package dev.kurz.audit;

/**
 * Who made a change: the API key (its id and name; no id for the command line), the client's
 * address as the request gave it (the audit log keeps what {@code KURZ_STORE_IP} allows), and the
 * request id. Any part may be null.
 */
public record Actor(Long keyId, String keyName, String ip, String requestId) {

    /** {@code ./kurz keys …} on the server's shell: no key, no address, no request. */
    public static Actor commandLine() {
        return new Actor(null, "cli (" + System.getProperty("user.name", "unknown user") + ")", null, null);
    }
}
