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

        driver.get(base + "/app/#/domains");
        await(By.id("domain-host")).sendKeys("go.browser.test");
        driver.findElement(By.id("domain-root")).sendKeys("https://example.com/");
        driver.findElement(By.id("domain-submit")).click();
        assertThat(await(By.cssSelector(".domain-row[data-host='go.browser.test']")).getText()).contains("https://example.com/");
        shot("smart-4-domains");
    }
}
