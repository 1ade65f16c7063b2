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
}
