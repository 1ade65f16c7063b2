package dev.kurz.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RowReaderTest {

    private static List<ImportRow> read(ImportFormat f, String text) throws IOException {
        try (RowReader r = new RowReader(f, new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)))) {
            List<ImportRow> out = new ArrayList<>();
            ImportRow row;
            while ((row = r.next()) != null) out.add(row);
            return out;
        }
    }

    @Test
    void csv_quotedFieldsWithCommasQuotesAndLineBreaks() throws IOException {
        Csv csv = new Csv(new StringReader("\uFEFFa,\"b,1\",\"say \"\"hi\"\"\"\r\n\r\n\"multi\nline\",,\nlast"));
        assertThat(csv.next()).containsExactly("a", "b,1", "say \"hi\"");
        assertThat(csv.next()).containsExactly("multi\nline", "", "");
        assertThat(csv.next()).containsExactly("last");
        assertThat(csv.next()).isNull();
    }

    @Test
    void csv_writtenLinesReadBack() throws IOException {
        StringBuilder b = new StringBuilder();
        List<String> fields = List.of("plain", "with,comma", "with \"quote\"", "two\nlines", "");
        Csv.line(b, fields);
        assertThat(new Csv(new StringReader(b.toString())).next()).isEqualTo(fields);
    }

    @Test
    void plainCsv_withoutHeader_readsTheDefaultColumns() throws IOException {
        List<ImportRow> rows = read(ImportFormat.CSV, "https://example.com/a,a1,Title,\"x,y\",2024-01-01T00:00:00Z\n");
        assertThat(rows).hasSize(1);
        ImportRow r = rows.get(0);
        assertThat(r.url()).isEqualTo("https://example.com/a");
        assertThat(r.slug()).isEqualTo("a1");
        assertThat(r.tags()).containsExactly("x", "y");
        assertThat(r.createdAt()).isEqualTo(Instant.parse("2024-01-01T00:00:00Z"));
        assertThat(r.problem()).isNull();
    }

    @Test
    void headers_matchIgnoringCaseSpacesAndUnderscores() throws IOException {
        List<ImportRow> rows = read(ImportFormat.BITLY, "Long URL,Bitlink,Date Created,Total Clicks\nhttps://e.com/x,https://bit.ly/abcDEF1,2024-01-02 03:04:05,\"1,234\"\n");
        assertThat(rows.get(0).url()).isEqualTo("https://e.com/x");
        assertThat(rows.get(0).slug()).isEqualTo("abcDEF1");
        assertThat(rows.get(0).createdAt()).isEqualTo(Instant.parse("2024-01-02T03:04:05Z"));
        assertThat(rows.get(0).clicks()).isEqualTo(1234);
    }

    @Test
    void dates_inTheFormsExportsWrite() {
        List<String> problems = new ArrayList<>();
        assertThat(RowReader.instant("2024-05-01T12:00:00Z", "d", problems)).isEqualTo(Instant.parse("2024-05-01T12:00:00Z"));
        assertThat(RowReader.instant("2024-05-01T12:00:00+0200", "d", problems)).isEqualTo(Instant.parse("2024-05-01T10:00:00Z"));
        assertThat(RowReader.instant("2024-05-01T12:00:00.123+02:00", "d", problems)).isEqualTo(Instant.parse("2024-05-01T10:00:00.123Z"));
        assertThat(RowReader.instant("2024-05-01 12:00:00", "d", problems)).isEqualTo(Instant.parse("2024-05-01T12:00:00Z"));
        assertThat(RowReader.instant("2024-05-01", "d", problems)).isEqualTo(Instant.parse("2024-05-01T00:00:00Z"));
        assertThat(RowReader.instant("1714564800", "d", problems)).isEqualTo(Instant.parse("2024-05-01T12:00:00Z"));
        assertThat(RowReader.instant("1714564800000", "d", problems)).isEqualTo(Instant.parse("2024-05-01T12:00:00Z"));
        assertThat(problems).isEmpty();
        assertThat(RowReader.instant("next tuesday", "createdAt", problems)).isNull();
        assertThat(problems).singleElement().asString().startsWith("createdAt: 'next tuesday' is not a date");
    }

    @Test
    void badNumbers_becomeTheRowsProblem_notTheFiles() throws IOException {
        List<ImportRow> rows = read(ImportFormat.KURZ, "url,clicks,maxClicks\nhttps://e.com/1,many,\nhttps://e.com/2,3,x\nhttps://e.com/3,4,5\n");
        assertThat(rows.get(0).problem()).contains("clicks: 'many'");
        assertThat(rows.get(1).problem()).contains("maxClicks: 'x'");
        assertThat(rows.get(2).problem()).isNull();
        assertThat(rows.get(2).maxClicks()).isEqualTo(5);
    }

    @Test
    void json_arrayOrObjectWithLinks_tagsAsArrays() throws IOException {
        List<ImportRow> rows = read(ImportFormat.KURZ, "{\"links\":[{\"url\":\"https://e.com/j\",\"slug\":\"j\",\"tags\":[\"a\",\"b\"],"
                + "\"clicks\":7,\"forwardQuery\":false,\"redirectType\":301,\"blocked\":null,\"extra\":{\"n\":[1,2]}}, 5]}");
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).tags()).containsExactly("a", "b");
        assertThat(rows.get(0).clicks()).isEqualTo(7);
        assertThat(rows.get(0).forwardQuery()).isFalse();
        assertThat(rows.get(0).redirectType()).isEqualTo(301);
        assertThat(rows.get(1).problem()).isEqualTo("is not a JSON object");
    }

    @Test
    void brokenJson_stopsTheRead() {
        assertThatThrownBy(() -> read(ImportFormat.KUTT, "{\"data\":[{\"target\":\"https://e.com\"},{\"target\":")).isInstanceOf(IOException.class);
    }

    @Test
    void skip_resumesAtTheCheckpoint() throws IOException {
        try (RowReader r = new RowReader(ImportFormat.CSV, new ByteArrayInputStream("url\nhttps://e.com/1\nhttps://e.com/2\nhttps://e.com/3\n".getBytes()))) {
            r.skip(2);
            ImportRow third = r.next();
            assertThat(third.row()).isEqualTo(3);
            assertThat(third.url()).isEqualTo("https://e.com/3");
            assertThat(r.next()).isNull();
        }
    }

    @Test
    void deadLetterLine_isPlainCsv() throws IOException {
        ImportRow r = read(ImportFormat.SHLINK, "createdAt,shortCode,longUrl,title,tags,visits\nsoon,ab,https://e.com,\"T, t\",x|y,3\n").get(0);
        assertThat(r.problem()).contains("createdAt");
        assertThat(r.plainCsv()).isEqualTo("https://e.com,ab,\"T, t\",\"x,y\",soon,3");
    }
}
