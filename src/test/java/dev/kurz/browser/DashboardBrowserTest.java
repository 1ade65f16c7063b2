package dev.kurz.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kurz.testing.Node;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web UI in headless Chromium (Debian's chromium and chromium-driver, which .ci/run installs):
 * sign in, create a link, open its page, follow the short link from another client, watch the
 * live counter move, download the QR code. Screenshots go to target/screenshots/.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardBrowserTest {
    static final Path SHOTS = Path.of("target", "screenshots");
    private Node node;
    private WebDriver driver;
    private Path downloads;

    @BeforeAll
    void start() throws IOException {
        // Trusting the test's own address lets the overview test send clicks from several countries.
        node = Node.sqlite(Files.createTempDirectory("kurz-browser"), Clock.systemUTC(), Map.of("KURZ_TRUSTED_PROXIES", "127.0.0.1",
                // The webhooks page test: a receiver on loopback, dead letters after a second.
                "KURZ_WEBHOOK_ALLOW_PRIVATE", "true", "KURZ_WEBHOOK_RETRY_BASE", "50ms", "KURZ_WEBHOOK_RETRY_CAP", "200ms",
                "KURZ_WEBHOOK_RETRY_FOR", "1s", "KURZ_WEBHOOK_POLL", "50ms", "KURZ_WEBHOOK_BREAKER_OPEN", "200ms", "KURZ_LINK_CHECK_INTERVAL", "off"));
        downloads = Files.createTempDirectory("kurz-downloads");
        Map<String, Object> prefs = new HashMap<>();
        prefs.put("download.default_directory", downloads.toString());
        prefs.put("download.prompt_for_download", false);
        driver = chromium("1280,900", prefs);
    }

    /** Headless Chromium with this window size and these preferences; screenshots go to {@link #SHOTS}. */
    static WebDriver chromium(String windowSize, Map<String, Object> prefs) throws IOException {
        Files.createDirectories(SHOTS);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(find("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=" + windowSize, "--user-data-dir=" + Files.createTempDirectory("kurz-chrome"));
        options.setExperimentalOption("prefs", prefs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of(find("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")).toFile())
                .build();
        return new ChromeDriver(service, options);
    }

    private static String find(String... candidates) {
        for (String c : candidates) if (Files.isExecutable(Path.of(c))) return c;
        throw new IllegalStateException("Chromium or chromedriver is not installed (Debian: apt-get install chromium chromium-driver;"
                + " .ci/run does this)");
    }

    @AfterAll
    void stop() {
        if (driver != null) driver.quit();
        if (node != null) node.close();
    }

    private void shot(String name) throws IOException {
        shot(driver, name);
    }

    static void shot(WebDriver driver, String name) throws IOException {
        Path png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(png, SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private WebElement await(By by) {
        return new WebDriverWait(driver, Duration.ofSeconds(10)).until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    @Test
    void signIn_create_open_followLive_downloadQr() throws Exception {
        driver.get(node.api.base + "/app/");
        await(By.id("key")).sendKeys(Node.ADMIN_KEY);
        driver.findElement(By.id("sign-in")).click();
        await(By.id("create-url")).sendKeys("https://example.com/from-the-browser");
        driver.findElement(By.id("create-slug")).sendKeys("browser-e2e");
        shot("1-signed-in");
        driver.findElement(By.id("create-submit")).click();
        WebElement row = await(By.cssSelector(".link-row[data-slug='browser-e2e']"));
        shot("2-created");
        assertThat(row.getText()).contains("browser-e2e");

        // A validation message next to its field
        await(By.id("create-url")).clear();
        driver.findElement(By.id("create-url")).sendKeys("ftp://not-allowed");
        driver.findElement(By.id("create-submit")).click();
        WebElement error = await(By.cssSelector(".field-error[data-field='url']"));
        assertThat(error.getText()).contains("http");

        driver.get(node.api.base + "/app/#/links/browser-e2e");
        WebElement counter = await(By.id("live-clicks"));
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("status")).getAttribute("class").contains("connected"));
        long before = Long.parseLong(counter.getText().replaceAll("[^0-9]", "").isEmpty() ? "0" : counter.getText().replaceAll("[^0-9]", ""));
        shot("3-link-page");

        long t0 = System.nanoTime();
        assertThat(node.api.withKey(null).get("/browser-e2e", "User-Agent",
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1").status())
                .isEqualTo(302);
        new WebDriverWait(driver, Duration.ofSeconds(1), Duration.ofMillis(20)).until(d -> {
            String digits = d.findElement(By.id("live-clicks")).getText().replaceAll("[^0-9]", "");
            return !digits.isEmpty() && Long.parseLong(digits) > before;
        });
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(ms).isLessThan(1000);
        await(By.cssSelector("#live-feed li, #live-feed tr, #live-feed .feed-item"));
        shot("4-live-click");

        WebElement qr = await(By.id("qr-image"));
        new WebDriverWait(driver, Duration.ofSeconds(5)).until(d -> qr.getAttribute("src") != null && qr.getAttribute("src").startsWith("blob:"));
        driver.findElement(By.id("qr-download-png")).click();
        long deadline = System.currentTimeMillis() + 10_000;
        Path png = null;
        while (png == null && System.currentTimeMillis() < deadline) {
            try (var files = Files.list(downloads)) {
                png = files.filter(p -> p.toString().endsWith(".png")).findFirst().orElse(null);
            }
            Thread.sleep(100);
        }
        assertThat(png).as("downloaded QR PNG").isNotNull();
        assertThat(Files.readAllBytes(png)).startsWith(new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        shot("5-qr");
    }

    private void signIn(Node n) {
        driver.get(n.api.base + "/app/");
        ((org.openqa.selenium.JavascriptExecutor) driver).executeScript("sessionStorage.clear()");
        driver.get(n.api.base + "/app/");
        await(By.id("key")).sendKeys(Node.ADMIN_KEY);
        driver.findElement(By.id("sign-in")).click();
        await(By.id("create-url"));
    }

    private static long number(String text) {
        String digits = text.replaceAll("[^0-9]", "");
        return digits.isEmpty() ? 0 : Long.parseLong(digits);
    }

    /** A bar list of the stats panel (section aria-label), as label → count, top first. */
    private Map<String, Long> bars(String title) {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        for (WebElement li : driver.findElements(By.cssSelector("section.top-list[aria-label='" + title + "'] li"))) {
            out.put(li.findElement(By.className("bar-label")).getText(), number(li.findElement(By.className("bar-count")).getText()));
        }
        return out;
    }

    private long total(String key) {
        return number(driver.findElement(By.cssSelector("#overview-totals [data-total='" + key + "']")).getText());
    }

    private void clicks(String slug, int n, String forwardedFor) {
        for (int i = 0; i < n; i++) {
            String[] headers = forwardedFor == null ? new String[] {"User-Agent", CHROME} : new String[] {"User-Agent", CHROME, "X-Forwarded-For", forwardedFor};
            assertThat(node.api.withKey(null).get("/" + slug, headers).status()).isEqualTo(302);
        }
    }

    static final String CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

    @Test
    void overview_liveClicks_keepBreakdownsAndTopLinksInStepWithTheTotals() throws Exception {
        node.api.create(Map.of("url", "https://example.com/ov-a", "slug", "ov-a"));
        node.api.create(Map.of("url", "https://example.com/ov-b", "slug", "ov-b"));
        clicks("ov-a", 2, "8.8.8.8");
        clicks("ov-b", 4, "85.214.132.117");
        long deadline = System.currentTimeMillis() + 5000;
        long base; // every click so far, this test's and the other tests'
        while (true) {
            JsonObject all = new JsonObject(node.api.get("/api/v1/stats").body());
            base = all.getJsonObject("totals").getLong("clicks");
            if (linkClicks(all, "ov-b") == 4 && linkClicks(all, "ov-a") == 2) break;
            assertThat(System.currentTimeMillis()).as("clicks counted").isLessThan(deadline);
            Thread.sleep(50);
        }
        signIn(node);
        driver.get(node.api.base + "/app/#/overview");
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("status")).getAttribute("class").contains("connected"));
        long loaded = base;
        new WebDriverWait(driver, Duration.ofSeconds(10)).ignoring(org.openqa.selenium.NoSuchElementException.class)
                .until(d -> total("clicks") == loaded);
        assertThat(bars("Top links").keySet().iterator().next()).isEqualTo("ov-b");

        // Live: ov-a overtakes ov-b (2 + 5 against 4 + 1), from three countries.
        clicks("ov-a", 3, "8.8.8.8");
        clicks("ov-a", 1, "85.214.132.117");
        clicks("ov-a", 1, null);
        clicks("ov-b", 1, "8.8.8.8");
        long expected = base + 6;
        // Before the panel's settling refetch (2.5 s after the last frame): what moved, moved live.
        new WebDriverWait(driver, Duration.ofSeconds(2), Duration.ofMillis(20)).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(d -> total("clicks") == expected);
        Map<String, Long> countries = bars("Countries");
        Map<String, Long> top = bars("Top links");
        shot("8-overview-live");
        assertThat(countries.values().stream().mapToLong(Long::longValue).sum()).as("country bars " + countries).isEqualTo(expected);
        for (String b : new String[] {"Referrers", "Browsers", "Operating systems", "Devices"}) {
            assertThat(bars(b).values().stream().mapToLong(Long::longValue).sum()).as(b).isEqualTo(expected);
        }
        assertThat(top.entrySet().iterator().next()).isEqualTo(Map.entry("ov-a", 7L));
        assertThat(top).containsEntry("ov-b", 5L);
        assertThat(number(driver.findElement(By.id("live-clicks")).getText())).isEqualTo(expected);

        // What a reload shows once the clicks are written: the same figures.
        deadline = System.currentTimeMillis() + 5000;
        JsonObject after;
        do {
            assertThat(System.currentTimeMillis()).as("clicks written").isLessThan(deadline);
            Thread.sleep(50);
            after = new JsonObject(node.api.get("/api/v1/stats").body());
        } while (after.getJsonObject("totals").getLong("clicks") < expected);
        assertThat(linkClicks(after, "ov-a")).isEqualTo(7);
        assertThat(linkClicks(after, "ov-b")).isEqualTo(5);
        driver.navigate().refresh();
        new WebDriverWait(driver, Duration.ofSeconds(10)).ignoring(org.openqa.selenium.NoSuchElementException.class)
                .until(d -> total("clicks") == expected);
        assertThat(bars("Countries").values().stream().mapToLong(Long::longValue).sum()).isEqualTo(expected);
        assertThat(bars("Top links")).containsEntry("ov-a", 7L).containsEntry("ov-b", 5L);
    }

    private static long linkClicks(JsonObject stats, String slug) {
        return stats.getJsonArray("topLinks").stream().map(JsonObject.class::cast).filter(o -> slug.equals(o.getString("slug")))
                .mapToLong(o -> o.getLong("clicks")).findFirst().orElse(0);
    }

    @Test
    void linksSearch_withNoResults_saysSoAndOffersToClearIt_whileAnEmptyListSaysNoLinksYet() throws Exception {
        node.api.create(Map.of("url", "https://example.com/findable", "slug", "findable"));
        signIn(node);
        driver.get(node.api.base + "/app/#/links");
        await(By.cssSelector(".link-row[data-slug='findable']"));
        await(By.id("search")).sendKeys("zz-matches-nothing");
        WebElement empty = await(By.id("links-empty"));
        new WebDriverWait(driver, Duration.ofSeconds(5)).until(d -> empty.getText().contains("No links match"));
        assertThat(empty.getText()).contains("zz-matches-nothing").doesNotContain("No links yet");
        shot("9-search-no-match");
        driver.findElement(By.id("clear-search")).click();
        await(By.cssSelector(".link-row[data-slug='findable']"));
        assertThat(driver.findElement(By.id("search")).getAttribute("value")).isEmpty();
        assertThat(empty.isDisplayed()).isFalse();

        try (Node fresh = Node.sqlite(Clock.systemUTC())) { // no links at all
            signIn(fresh);
            driver.get(fresh.api.base + "/app/#/links");
            WebElement none = await(By.id("links-empty"));
            assertThat(none.getText()).contains("No links yet.");
            assertThat(driver.findElements(By.id("clear-search"))).isEmpty();
        }
    }

    @Test
    void keysPage_createShowsTheSecretOnce_revokeAsksFirst() throws Exception {
        driver.get(node.api.base + "/app/");
        ((org.openqa.selenium.JavascriptExecutor) driver).executeScript("sessionStorage.clear()");
        driver.get(node.api.base + "/app/#/keys");
        await(By.id("key")).sendKeys(Node.ADMIN_KEY);
        driver.findElement(By.id("sign-in")).click();
        await(By.id("key-name")).sendKeys("from the browser");
        driver.findElement(By.id("scope-links-write")).click();
        driver.findElement(By.id("key-create-submit")).click();
        String secret = await(By.id("new-key-secret")).getText();
        assertThat(secret).startsWith("kurz_");
        assertThat(node.api.withKey(secret).get("/api/v1/links").status()).isEqualTo(200);
        shot("6-key-created");

        By row = By.xpath("//tr[contains(@class,'key-row')][td[contains(., 'from the browser')]]");
        await(row).findElement(By.cssSelector("button.danger")).click();
        await(By.id("revoke-confirm")).click();
        new WebDriverWait(driver, Duration.ofSeconds(5)).ignoring(org.openqa.selenium.StaleElementReferenceException.class) // the list reloads
                .until(d -> d.findElement(row).findElement(By.className("key-state")).getText().startsWith("Revoked"));
        shot("7-key-revoked");
        long t0 = System.nanoTime();
        while (node.api.withKey(secret).get("/api/v1/links").status() != 401) {
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(2000);
            Thread.sleep(50);
        }
        assertThat(driver.findElement(By.id("keys-table")).getText()).as("the list never shows a secret").doesNotContain(secret);
        assertThat(driver.getPageSource()).as("a revoked key's secret leaves the screen").doesNotContain(secret);
    }

    @Test
    void webhooksPage_addShowsTheSecretOnce_deadDeliveryRetried() throws Exception {
        try (dev.kurz.webhook.Receiver receiver = new dev.kurz.webhook.Receiver()) {
            receiver.stop(); // down at first: the delivery becomes a dead letter
            driver.get(node.api.base + "/app/");
            ((org.openqa.selenium.JavascriptExecutor) driver).executeScript("sessionStorage.clear()");
            driver.get(node.api.base + "/app/#/webhooks");
            await(By.id("key")).sendKeys(Node.ADMIN_KEY);
            driver.findElement(By.id("sign-in")).click();
            await(By.id("webhook-url")).sendKeys(receiver.url());
            driver.findElement(By.id("webhook-create-submit")).click();
            String secret = await(By.id("new-webhook-secret")).getText();
            assertThat(secret).startsWith("whsec_");
            receiver.secret = secret;
            WebElement row = await(By.cssSelector(".webhook-row"));
            assertThat(row.getText()).contains(receiver.url()).contains("link.created");
            shot("8-webhook-added");

            node.api.create(Map.of("url", "https://example.com/hooked", "slug", "browser-hook"));
            long id = node.api.get("/api/v1/webhooks").json().getJsonArray("items").getJsonObject(0).getLong("id");
            dev.kurz.testing.Eventually.await("a dead letter", 10_000, () -> node.api.get("/api/v1/webhooks/" + id + "/deliveries").json()
                    .getJsonArray("items").getJsonObject(0).getString("state").equals("dead"));
            receiver.start();
            await(By.cssSelector(".webhook-row")).findElement(By.xpath(".//button[text()='Deliveries']")).click();
            WebElement dead = await(By.cssSelector(".delivery-row.dead"));
            assertThat(dead.getText()).contains("link.created");
            shot("9-dead-letter");
            dead.findElement(By.xpath(".//button[text()='Retry']")).click();
            dev.kurz.testing.Eventually.await("the retried delivery acknowledged", 10_000, () -> receiver.acknowledged().size() == 1);
            assertThat(receiver.acknowledged().get(0).verified()).isTrue();
            new WebDriverWait(driver, Duration.ofSeconds(5)).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                    .until(d -> {
                        d.findElement(By.cssSelector(".webhook-row")).findElement(By.xpath(".//button[text()='Deliveries']")).click();
                        return !d.findElements(By.cssSelector(".delivery-row.delivered")).isEmpty();
                    });
            shot("10-delivered");
            assertThat(driver.findElement(By.id("webhooks-table")).getText()).as("the list never shows a secret").doesNotContain(secret);
        }
    }
}
