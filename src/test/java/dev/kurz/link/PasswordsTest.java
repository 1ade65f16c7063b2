package dev.kurz.link;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PasswordsTest {
    @Test
    void hash_isArgon2idWithASalt_andMatchesOnlyItsPassword() {
        String h = Passwords.hash("correct horse");
        assertThat(h).startsWith("$argon2id$v=19$m=19456,t=2,p=1$").doesNotContain("correct");
        assertThat(Passwords.hash("correct horse")).as("salted").isNotEqualTo(h);
        assertThat(Passwords.matches("correct horse", h)).isTrue();
        assertThat(Passwords.matches("correct horsE", h)).isFalse();
        assertThat(Passwords.matches("", h)).isFalse();
    }

    @Test
    void matches_malformedHash_isFalse() {
        assertThat(Passwords.matches("x", "$argon2i$v=19$m=1,t=1,p=1$AAAA$AAAA")).isFalse();
        assertThat(Passwords.matches("x", "nonsense")).isFalse();
        assertThat(Passwords.matches("x", "$argon2id$v=19$m=x,t=1,p=1$AAAA$AAAA")).isFalse();
        assertThat(Passwords.matches("x", null)).isFalse();
    }
}
