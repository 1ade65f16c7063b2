package dev.kurz.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.vertx.core.http.HttpServerOptions;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StrictRequestDecoderTest {

    private static HttpRequest decode(String raw) {
        EmbeddedChannel ch = new EmbeddedChannel(new StrictRequestDecoder(new HttpServerOptions()));
        ch.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
        HttpRequest req = ch.readInbound();
        ch.finishAndReleaseAll();
        return req;
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "GET /t1?a\u007fb HTTP/1.1\r\nHost: h\r\n\r\n",
            "GET /t1?a\u0000b HTTP/1.1\r\nHost: h\r\n\r\n",
            "GET /t1 HTTP/1.1\r\n\r\n",
            "GET /t1 HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            "POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: xchunked\r\n\r\n",
            "POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            "GET /x HTTP/2.0\r\nHost: h\r\n\r\n",
            "GET /x HTTP/1.1\r\nHost: \u00ff\r\n\r\n",
            "GET /x HTTP/1.1\r\nHost: a b\r\n\r\n",
            "GET /x HTTP/1.1\r\nHost: [\r\n\r\n",
            "BREW /x HTTP/1.1\r\nHost: [::1\r\n\r\n"})
    void ambiguousOrDirtyRequest_markedFailed(String raw) {
        assertThat(decode(raw).decoderResult().isFailure()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "GET /t1?a=b%20c HTTP/1.1\r\nHost: h\r\n\r\n",
            "GET /t1 HTTP/1.0\r\n\r\n",
            "GET /t1 HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n",
            "GET /t1 HTTP/1.1\r\nHost: kurz.example:443\r\n\r\n",
            "POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n{}"})
    void ordinaryRequest_passes(String raw) {
        assertThat(decode(raw).decoderResult().isSuccess()).isTrue();
    }
}
