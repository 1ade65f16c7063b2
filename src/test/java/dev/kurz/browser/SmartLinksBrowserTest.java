package dev.kurz.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.testing.Node;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Smart links in headless Chromium: create a link with a rule and a password in the web UI, then
 * open the short link as a visitor, get the password form, fail once, unlock it, and land where
 * the rule sends this browser (by its own Accept-Language). Screenshots go to target/screenshots/.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SmartLinksBrowserTest {
    private Node node;
    private WebDriver driver;

    @BeforeAll
    void start() throws IOException {
        // The destinations are this node's own health pages, so the browser lands somewhere real without the internet.
        node = Node.sqlite(Files.createTempDirectory("kurz-smart-browser"), Clock.systemUTC(), Map.of("KURZ_ALLOW_PRIVATE_DESTINATIONS", "true"));
        driver = DashboardBrowserTest.chromium("1280,1400", Map.of("intl.accept_languages", "en-US,en"));
    }

    @AfterAll
    void stop() {
        if (driver != null) driver.quit();
        if (node != null) node.close();
    }

    private void shot(String name) throws IOException {
        DashboardBrowserTest.shot(driver, name);
    }

    private WebElement await(By by) {
        return new WebDriverWait(driver, Duration.ofSeconds(10)).until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    @Test
    void createWithRuleAndPassword_inTheUi_thenUnlockAsAVisitor() throws Exception {
        String base = node.api.base;
        driver.get(base + "/app/");
        await(By.id("key")).sendKeys(Node.ADMIN_KEY);
        driver.findElement(By.id("sign-in")).click();
        await(By.id("create-url")).sendKeys(base + "/health/startup");
        driver.findElement(By.id("create-slug")).sendKeys("smart-browser");
        driver.findElement(By.cssSelector("#create-smart > summary")).click();
        await(By.id("create-add-rule")).click();
        await(By.id("create-rule-0-language")).sendKeys("en");
        driver.findElement(By.id("create-rule-0-url")).sendKeys(base + "/health/live");
        driver.findElement(By.id("create-password")).sendKeys("open sesame");
        driver.findElement(By.id("create-preview-title")).sendKeys("Members only");
        assertThat(driver.findElement(By.id("create-preview-card")).getText()).contains("Members only");
        shot("smart-1-form");
        driver.findElement(By.id("create-submit")).click();
        await(By.cssSelector(".link-row[data-slug='smart-browser']"));
        JsonObject link = node.api.get("/api/v1/links/smart-browser").json();
        assertThat(link.getBoolean("passwordProtected")).isTrue();
        assertThat(link.getJsonArray("rules").getJsonObject(0).getJsonObject("if").getJsonArray("language")).containsExactly("en");

        driver.get(base + "/smart-browser");
        await(By.id("password")).sendKeys("wrong");
        shot("smart-2-password-form");
        driver.findElement(By.cssSelector("button[type=submit]")).click();
        assertThat(await(By.cssSelector("[role=alert]")).getText()).contains("not right");
        await(By.id("password")).sendKeys("open sesame");
        driver.findElement(By.cssSelector("button[type=submit]")).click();
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> d.getCurrentUrl().endsWith("/health/live"));
        assertThat(driver.getPageSource()).contains("UP");
        shot("smart-3-unlocked");

        // The link's page names what the click was sent to: the browser asked in English, so rule 1.
        new WebDriverWait(driver, Duration.ofSeconds(15)).until(d -> node.api.get("/api/v1/links/smart-browser/stats")
                .json().getJsonArray("targets").size() > 0);
        assertThat(node.api.get("/api/v1/links/smart-browser/stats").json().getJsonArray("targets").getJsonObject(0).getString("value"))
                .isEqualTo("rule:0");
        driver.get(base + "/app/#/links/smart-browser");
        assertThat(await(By.cssSelector("section.top-list[aria-label='Destinations']")).getText()).contains("Rule 1");
        assertThat(await(By.cssSelector("#live-feed .feed-target")).getText()).isEqualTo("→ Rule 1");
        shot("smart-3b-destinations");

        driver.get(base + "/app/#/domains");
        await(By.id("domain-host")).sendKeys("go.browser.test");
        driver.findElement(By.id("domain-root")).sendKeys("https://example.com/");
        driver.findElement(By.id("domain-submit")).click();
        assertThat(await(By.cssSelector(".domain-row[data-host='go.browser.test']")).getText()).contains("https://example.com/");
        shot("smart-4-domains");
    }

    /** A GET to this node with a chosen Host header (a browser cannot set one): the Location answered. */
    private String visit(String host, String path) throws IOException {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", node.kurz.port())) {
            s.setSoTimeout(15_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            String text = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return text.lines().filter(l -> l.regionMatches(true, 0, "location:", 0, 9)).map(l -> l.substring(9).strip()).findFirst().orElse(null);
        }
    }

    @Test
    void sameSlugOnTwoDomains_theBrandedOneOpenedEditedAndItsStatsShown_inTheUi() throws Exception {
        String base = node.api.base;
        assertThat(node.api.post("/api/v1/domains", new JsonObject().put("host", "go.twin.test")).status()).isEqualTo(201);
        node.api.create(Map.of("url", base + "/health/startup", "slug", "twin"));
        node.api.create(Map.of("url", base + "/health/live", "slug", "twin", "domain", "go.twin.test"));
        assertThat(visit("go.twin.test", "/twin")).isEqualTo(base + "/health/live");
        assertThat(visit("go.twin.test", "/twin")).isEqualTo(base + "/health/live");
        new WebDriverWait(driver, Duration.ofSeconds(15)).until(d -> node.api.get("/api/v1/links/twin/stats?domain=go.twin.test")
                .json().getJsonObject("totals").getLong("clicks") == 2);

        // Signed out whichever test ran first (the key lives in sessionStorage).
        driver.get(base + "/app/");
        ((org.openqa.selenium.JavascriptExecutor) driver).executeScript("sessionStorage.clear()");
        driver.navigate().refresh();
        await(By.id("key")).sendKeys(Node.ADMIN_KEY);
        driver.findElement(By.id("sign-in")).click();
        WebElement branded = await(By.cssSelector(".link-row[data-key='go.twin.test/twin']"));
        assertThat(branded.getText()).contains("go.twin.test/twin");
        assertThat(await(By.cssSelector(".link-row[data-key='twin']")).getText()).doesNotContain("go.twin.test");
        shot("domains-1-table");

        branded.findElement(By.cssSelector("a.slug")).click();
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> d.getCurrentUrl().endsWith("#/links/go.twin.test/twin"));
        assertThat(await(By.cssSelector(".dest-line")).getText()).contains("/health/live");
        assertThat(await(By.id("link-details")).getText()).contains("go.twin.test");
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d ->
                d.findElement(By.cssSelector("#link-totals [data-total='clicks']")).getText().equals("2"));
        assertThat(driver.findElement(By.id("live-clicks")).getText()).isEqualTo("2");
        // The page follows this link's clicks, not its namesake's.
        visit("kurz.test", "/twin");
        visit("go.twin.test", "/twin");
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("live-clicks")).getText().equals("3"));
        assertThat(driver.findElement(By.cssSelector("#link-totals [data-total='clicks']")).getText()).isEqualTo("3");
        shot("domains-2-branded-page");

        driver.findElement(By.id("link-edit")).click();
        WebElement title = await(By.id("edit-title"));
        title.clear();
        title.sendKeys("Branded twin");
        driver.findElement(By.id("edit-submit")).click();
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(ExpectedConditions.invisibilityOfElementLocated(By.id("edit-submit")));
        assertThat(await(By.cssSelector(".page-head .lead")).getText()).isEqualTo("Branded twin");
        assertThat(node.api.get("/api/v1/links/twin?domain=go.twin.test").json().getString("title")).isEqualTo("Branded twin");
        assertThat(node.api.get("/api/v1/links/twin").json().getString("title")).isNull();
        assertThat(await(By.id("qr-image")).getAttribute("src")).startsWith("blob:");
        shot("domains-3-edited");

        // The default domain's namesake keeps its own page.
        new WebDriverWait(driver, Duration.ofSeconds(15)).until(d -> node.api.get("/api/v1/links/twin/stats")
                .json().getJsonObject("totals").getLong("clicks") == 1);
        driver.get(base + "/app/#/links/twin");
        assertThat(await(By.cssSelector(".dest-line")).getText()).contains("/health/startup");
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d ->
                d.findElement(By.cssSelector("#link-totals [data-total='clicks']")).getText().equals("1"));
    }
}
