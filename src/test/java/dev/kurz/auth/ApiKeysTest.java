package dev.kurz.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class ApiKeysTest {
    @Test
    void nameProblem_acceptsPrintableUnicode_refusesEmptyLongAndControl() {
        assertThat(ApiKeys.nameProblem("CI pipeline")).isNull();
        assertThat(ApiKeys.nameProblem("Ключ 🔑 für Jörg")).isNull();
        assertThat(ApiKeys.nameProblem("🔑".repeat(100))).as("100 characters, 200 chars of UTF-16").isNull();
        assertThat(ApiKeys.nameProblem(null)).contains("required");
        assertThat(ApiKeys.nameProblem("   ")).contains("required");
        assertThat(ApiKeys.nameProblem("x".repeat(101))).contains("at most 100");
        assertThat(ApiKeys.nameProblem("a\nb")).contains("U+000A");
        assertThat(ApiKeys.nameProblem("a\u200Bb")).as("zero-width space").contains("U+200B");
        assertThat(ApiKeys.nameProblem("a\u202Eb")).as("right-to-left override").contains("U+202E");
    }

    @Test
    void scopesProblem_linksOwnIsAModifierOfReadOrWrite() {
        assertThat(ApiKeys.scopesProblem(EnumSet.of(Scope.LINKS_READ, Scope.LINKS_OWN))).isNull();
        assertThat(ApiKeys.scopesProblem(EnumSet.of(Scope.LINKS_WRITE, Scope.LINKS_OWN))).isNull();
        assertThat(ApiKeys.scopesProblem(EnumSet.of(Scope.LINKS_OWN))).contains("add links:read");
        assertThat(ApiKeys.scopesProblem(EnumSet.of(Scope.ADMIN, Scope.LINKS_OWN))).contains("admin");
        assertThat(ApiKeys.scopesProblem(EnumSet.noneOf(Scope.class))).contains("at least one");
    }

    @Test
    void check_namesEveryBadField() {
        assertThatThrownBy(() -> ApiKeys.check("", EnumSet.of(Scope.LINKS_OWN)))
                .isInstanceOfSatisfying(InvalidKeyException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.type()).isEqualTo("urn:kurz:problem:validation");
                    assertThat(e.errors()).extracting(f -> f.field()).containsExactly("name", "scopes");
                });
    }

    @Test
    void principal_ownLinksOnly_limitsVisibilityExceptForAdmins() {
        Principal own = new Principal(7, "own", EnumSet.of(Scope.LINKS_READ, Scope.LINKS_OWN));
        assertThat(own.ownLinksOnly()).isTrue();
        assertThat(own.linksVisibleTo()).isEqualTo(7L);
        assertThat(new Principal(8, "all", EnumSet.of(Scope.LINKS_READ)).linksVisibleTo()).isNull();
        assertThat(new Principal(9, "admin", EnumSet.of(Scope.ADMIN)).linksVisibleTo()).isNull();
    }
}
