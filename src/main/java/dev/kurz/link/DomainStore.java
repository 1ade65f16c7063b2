package dev.kurz.link;

import java.util.List;
import java.util.Optional;

/** Where domains live. Blocking. */
public interface DomainStore {
    /** Stores a new domain; false when the host is taken. */
    boolean insert(Domain d);

    Optional<Domain> find(String host);

    List<Domain> list();

    /** Writes the redirects; false when the host no longer exists. */
    boolean update(Domain d);

    /** How many links live on the domain. */
    long links(String host);

    boolean delete(String host);
}
