package dev.kurz.storage.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.redirect.Target;
import org.junit.jupiter.api.Test;

class RedisEncodingTest {
    @Test
    void encode_thenDecode_keepsEveryFieldAndTheBlockedFlag() {
        Target blocked = new Target(7, "s", "https://e.com/a|b", 301, true, 123, 5, true);
        Target open = new Target(8, "t", "https://e.com/", 302, false, Target.NEVER, 0, false);
        assertThat(RedisLinks.decode("s", RedisLinks.encode(blocked))).isEqualTo(blocked);
        assertThat(RedisLinks.decode("t", RedisLinks.encode(open))).isEqualTo(open);
    }

    @Test
    void decode_ofAnOlderNodesEntry_isNotBlocked() {
        assertThat(RedisLinks.decode("s", "1|7|302|1|9|0|https://e.com/x|y"))
                .isEqualTo(new Target(7, "s", "https://e.com/x|y", 302, true, 9, 0, false));
        assertThat(RedisLinks.decode("s", "9|garbage")).isNull();
    }
}
