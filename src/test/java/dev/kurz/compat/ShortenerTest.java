package dev.kurz.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ShortenerTest {
    private static final List<Integer> FIVE = List.of(1, 2, 3, 4, 5);

    @Test
    void page_byNumberAndSize() {
        var p = Shortener.Page.of(FIVE, 3, 2);
        assertThat(p.items()).containsExactly(5);
        assertThat(p.pages()).isEqualTo(3);
        assertThat(p.total()).isEqualTo(5);
    }

    @Test
    void page_pastTheEnd_empty() {
        assertThat(Shortener.Page.of(FIVE, 9, 2).items()).isEmpty();
    }

    @Test
    void page_sizeBelowOne_everythingOnOnePage() {
        var p = Shortener.Page.of(FIVE, 1, -1);
        assertThat(p.items()).hasSize(5);
        assertThat(p.pages()).isEqualTo(1);
    }

    @Test
    void countryName_fromCode() {
        assertThat(Shortener.countryName("US")).isEqualTo("United States");
        assertThat(Shortener.countryName("")).isNull();
        assertThat(Shortener.countryName(null)).isNull();
    }
}
