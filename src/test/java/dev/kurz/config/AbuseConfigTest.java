package dev.kurz.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AbuseConfigTest {
    @TempDir
    Path dir;

    private static KurzConfig.Abuse abuse(Map<String, String> env) {
        return KurzConfig.from(new Env(env)).abuse();
    }

    @Test
    void defaults_refusePrivateHostsAndShorteners_withKurzsShortenerList_andNoBlocklist() {
        KurzConfig.Abuse a = abuse(Map.of());
        assertThat(a.allowPrivate()).isFalse();
        assertThat(a.allowShorteners()).isFalse();
        assertThat(a.shortenerDomains()).isNull();
        assertThat(a.blocklists()).isEmpty();
        assertThat(a.blocklistPoll()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void settings_areRead() throws Exception {
        Path one = Files.writeString(dir.resolve("one.txt"), "a.example\n");
        Path two = Files.writeString(dir.resolve("two.txt"), "b.example\n");
        KurzConfig.Abuse a = abuse(Map.of("KURZ_ALLOW_PRIVATE_DESTINATIONS", "TRUE", "KURZ_ALLOW_SHORTENER_DESTINATIONS", "true",
                "KURZ_SHORTENER_DOMAINS", " Sho.rt , x.example ,", "KURZ_BLOCKLIST", one + ", " + two, "KURZ_BLOCKLIST_POLL", "2s"));
        assertThat(a.allowPrivate()).isTrue();
        assertThat(a.allowShorteners()).isTrue();
        assertThat(a.shortenerDomains()).containsExactly("sho.rt", "x.example");
        assertThat(a.blocklists()).containsExactly(one, two);
        assertThat(a.blocklistPoll()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void badValues_failTheStart_namingTheVariable() {
        assertThatThrownBy(() -> abuse(Map.of("KURZ_ALLOW_PRIVATE_DESTINATIONS", "yes")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("KURZ_ALLOW_PRIVATE_DESTINATIONS=yes").hasMessageContaining("true or false");
        assertThatThrownBy(() -> abuse(Map.of("KURZ_ALLOW_SHORTENER_DESTINATIONS", "1")))
                .hasMessageContaining("KURZ_ALLOW_SHORTENER_DESTINATIONS");
        assertThatThrownBy(() -> abuse(Map.of("KURZ_SHORTENER_DOMAINS", "bit.ly,not a domain")))
                .hasMessageContaining("KURZ_SHORTENER_DOMAINS");
        assertThatThrownBy(() -> abuse(Map.of("KURZ_BLOCKLIST", dir.resolve("missing.txt").toString())))
                .hasMessageContaining("KURZ_BLOCKLIST").hasMessageContaining("missing.txt");
        assertThatThrownBy(() -> abuse(Map.of("KURZ_BLOCKLIST_POLL", "5m"))).hasMessageContaining("KURZ_BLOCKLIST_POLL");
    }
}
