package dev.kurz.auth;

import java.util.Set;

/** Who is calling: the API key that authenticated the request. */
public record Principal(long keyId, String keyName, Set<Scope> scopes) {
    public Principal {
        scopes = Set.copyOf(scopes);
    }

    public boolean can(Scope scope) {
        return scopes.contains(Scope.ADMIN) || scopes.contains(scope);
    }

    /** True when this key sees and changes only the links it created ({@code links:own}). */
    public boolean ownLinksOnly() {
        return scopes.contains(Scope.LINKS_OWN) && !scopes.contains(Scope.ADMIN);
    }

    /** The limit for link lookups: this key's id when it sees only its own links, else null (every link). */
    public Long linksVisibleTo() {
        return ownLinksOnly() ? keyId : null;
    }
}
