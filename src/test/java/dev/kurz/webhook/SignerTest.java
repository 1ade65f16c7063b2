package dev.kurz.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class SignerTest {

    @Test
    void sign_reproducesTheStandardWebhooksTestVector() {
        // The vector the specification's reference libraries test against: theirs will verify ours.
        assertThat(Signer.sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                "{\"test\": 2432232314}")).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void newSecret_isWhsecAndTwentyFourRandomBytes() {
        String s = Signer.newSecret();
        assertThat(s).startsWith("whsec_");
        assertThat(Base64.getDecoder().decode(s.substring(6))).hasSize(24);
        assertThat(Signer.newSecret()).isNotEqualTo(s);
    }

    @Test
    void sign_verifiedByTheReceiversIndependentCheck() {
        String secret = Signer.newSecret();
        String ts = Long.toString(System.currentTimeMillis() / 1000);
        String sig = Signer.sign(secret, "msg_1", Long.parseLong(ts), "{\"a\":1}");
        assertThat(Receiver.verify(secret, "msg_1", ts, sig, "{\"a\":1}")).isTrue();
        assertThat(Receiver.verify(secret, "msg_1", ts, sig, "{\"a\":2}")).isFalse();
        assertThat(Receiver.verify(Signer.newSecret(), "msg_1", ts, sig, "{\"a\":1}")).isFalse();
    }
}
