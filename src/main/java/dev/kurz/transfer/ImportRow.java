package dev.kurz.transfer;

import java.time.Instant;
import java.util.List;

/**
 * One data row of an import, read from its source's columns but not yet validated: {@code problem}
 * is set when the row could not even be read (a date that is no date), and then it goes straight
 * to the dead letters. {@code row} counts data rows from 1; {@code createdAtText} is the source's
 * own text, kept for the dead-letter line.
 */
public record ImportRow(long row, String url, String slug, String title, List<String> tags, String createdAtText, Instant createdAt,
                        long clicks, Instant expiresAt, Long maxClicks, Integer redirectType, Boolean forwardQuery, String problem) {

    /** The row as the plain CSV columns {@code url,slug,title,tags,createdAt,clicks}, for the dead letters. */
    public String plainCsv() {
        StringBuilder b = new StringBuilder();
        Csv.line(b, java.util.Arrays.asList(url, slug, title, tags == null ? "" : String.join(",", tags),
                createdAtText == null ? (createdAt == null ? "" : createdAt.toString()) : createdAtText,
                clicks == 0 ? "" : Long.toString(clicks)));
        b.setLength(b.length() - 2);
        return b.toString();
    }
}
