package dev.kurz.webhook;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/** Sends one signed POST; the receiver's status, or an exception saying why there was none. Blocking, within {@code timeout}. */
public interface Sender {
    int post(URI url, Map<String, String> headers, String body, Duration timeout) throws Exception;
}
