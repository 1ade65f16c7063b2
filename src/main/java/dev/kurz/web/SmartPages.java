package dev.kurz.web;

import dev.kurz.link.Smart;
import io.vertx.core.buffer.Buffer;

/**
 * The two pages a smart link may answer with instead of a redirect: the password form (plain HTML,
 * no script) and the preview card for link-preview fetchers (Open Graph and Twitter meta tags).
 */
final class SmartPages {
    /** The pages' policy: one inline style, a form posting back here, no script. */
    static final String CSP = "default-src 'none'; img-src https: http:; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";

    private SmartPages() {}

    static Buffer passwordForm(String message) {
        return Buffer.buffer(head("Password required", "") + "<main><h1>This link is protected</h1>"
                + "<p>Enter the password to continue.</p>"
                + (message == null ? "" : "<p role=\"alert\" class=\"error\">" + escape(message) + "</p>")
                + "<form method=\"post\" action=\"\">"
                + "<label for=\"password\">Password</label> "
                + "<input id=\"password\" name=\"password\" type=\"password\" required autofocus autocomplete=\"current-password\"> "
                + "<button type=\"submit\">Continue</button></form></main></body></html>");
    }

    /** @param href where the card links: the destination, or the short link itself when a password guards it */
    static Buffer preview(Smart.Preview p, String href) {
        String title = p.title() == null ? href : p.title();
        StringBuilder meta = new StringBuilder()
                .append(meta("og:title", title))
                .append(meta("og:url", href))
                .append(meta("og:type", "website"))
                .append("<meta name=\"twitter:card\" content=\"").append(p.image() == null ? "summary" : "summary_large_image").append("\">")
                .append("<meta name=\"twitter:title\" content=\"").append(escape(title)).append("\">");
        if (p.description() != null) {
            meta.append(meta("og:description", p.description()))
                    .append("<meta name=\"twitter:description\" content=\"").append(escape(p.description())).append("\">")
                    .append("<meta name=\"description\" content=\"").append(escape(p.description())).append("\">");
        }
        if (p.image() != null) {
            meta.append(meta("og:image", p.image()))
                    .append("<meta name=\"twitter:image\" content=\"").append(escape(p.image())).append("\">");
        }
        return Buffer.buffer(head(title, meta.toString()) + "<main><h1>" + escape(title) + "</h1>"
                + (p.description() == null ? "" : "<p>" + escape(p.description()) + "</p>")
                + "<p><a href=\"" + escape(href) + "\">" + escape(href) + "</a></p></main></body></html>");
    }

    private static String meta(String property, String content) {
        return "<meta property=\"" + property + "\" content=\"" + escape(content) + "\">";
    }

    private static String head(String title, String meta) {
        return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><meta name=\"robots\" content=\"noindex\">"
                + "<title>" + escape(title) + "</title>" + meta
                + "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:15vh auto;padding:0 1rem;color:#222}"
                + "h1{font-size:1.4rem}.error{color:#b00020}input,button{font:inherit;padding:.3rem .5rem}</style></head><body>";
    }

    static String escape(String s) {
        return dev.kurz.link.QrCodes.escapeXml(s);
    }
}
