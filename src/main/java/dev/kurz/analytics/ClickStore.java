package dev.kurz.analytics;

import java.util.Map;

/** Where batches of clicks are written. Blocking; additive, so many nodes write without coordination. */
public interface ClickStore {
    void addClicks(Map<Long, Long> clicksByLink);
}
