package dev.kurz.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestVisitorTest {
    @Test
    void languages_primarySubtags_byPreference() {
        assertThat(RequestVisitor.languages("de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7")).containsExactly("de", "en");
        assertThat(RequestVisitor.languages("en;q=0.5, fr-CH, fr;q=0.9, *;q=0.1")).containsExactly("fr", "en");
        assertThat(RequestVisitor.languages("es;q=0, pt-BR")).containsExactly("pt");
        assertThat(RequestVisitor.languages(null)).isEmpty();
        assertThat(RequestVisitor.languages("  ")).isEmpty();
        assertThat(RequestVisitor.languages("de;q=abc,fr")).containsExactly("fr");
    }

    @Test
    void recentLanguages_answerAsParsing_acrossCollisionsAndRepeats() {
        String[] headers = {"de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7", "en;q=0.5, fr-CH, fr;q=0.9, *;q=0.1", "es;q=0, pt-BR", "  ", "fr"};
        for (int round = 0; round < 3; round++) {
            for (String h : headers) assertThat(RequestVisitor.recentLanguages(h)).isEqualTo(RequestVisitor.languages(h));
            for (int i = 0; i < 1000; i++) { // more values than slots: every one still parses right
                String h = "x" + i + ",de;q=0." + (i % 9 + 1);
                assertThat(RequestVisitor.recentLanguages(h)).isEqualTo(RequestVisitor.languages(h));
            }
        }
        assertThat(RequestVisitor.recentLanguages(null)).isEmpty();
    }
}
