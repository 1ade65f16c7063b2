package dev.kurz.linkcheck;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Where link health lives, and the claims that let one node check each link. Blocking. */
public interface LinkCheckStore {

    /** A link due for a check, with its health before. */
    /** {@code slug} is the link's key ({@link dev.kurz.link.LinkKeys}): host/slug on a branded domain. */
    record Due(long linkId, String slug, String url, LinkHealth.Status before) {}

    /**
     * Claims up to {@code limit} links last checked before {@code checkedBefore} (or never), not
     * claimed by a node whose lease still runs, for {@code node} until {@code leaseUntil}.
     */
    List<Due> claimDue(String node, Instant now, Instant checkedBefore, Instant leaseUntil, int limit);

    /** Stores a check's outcome and ends the claim. */
    void record(long linkId, LinkHealth health);

    /** The health of these links (those never checked are absent). */
    Map<Long, LinkHealth> healthOf(Collection<Long> linkIds);
}
