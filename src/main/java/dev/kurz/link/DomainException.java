package dev.kurz.link;

import dev.kurz.problem.ProblemException;

/** The problems of the domains API, one named factory per situation. */
public final class DomainException extends ProblemException {
    private DomainException(String type, String title, int status, String detail) {
        super(type, title, status, detail);
    }

    static DomainException notFound(String host) {
        return new DomainException("domain-not-found", "Domain not found", 404, "No domain has the host '" + host + "'");
    }

    static DomainException taken(String host) {
        return new DomainException("domain-exists", "Domain already exists", 409, "The domain '" + host + "' already exists");
    }

    static DomainException inUse(String host, long links) {
        return new DomainException("domain-in-use", "Domain has links", 409, "The domain '" + host + "' still has " + links
                + " link(s); delete them or move them first");
    }
}
