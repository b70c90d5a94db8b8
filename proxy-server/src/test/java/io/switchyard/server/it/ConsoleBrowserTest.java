package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.server.launcher.MariaDbServer;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The live web console in a real browser (Debian's Chromium, headless, driven by Selenium through
 * Debian's ChromeDriver), in front of a primary (hostgroup 0) and a replica (hostgroup 1, where
 * the {@code SELECT}s go), with default monitor settings: what a person looking at the page sees.
 * Under a bounded load the rate, the replica's query count and the top digest move; after the
 * replica is killed its row reads SHUNNED and the status change and the monitor's errors are
 * listed. Screenshots of both moments are saved as {@code target/console.png} and
 * {@code target/console-shunned.png}.
 */
@Timeout(180)
class ConsoleBrowserTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(1, cluster -> ProxyFixture.pairedServers(cluster) + ProxyFixture.SPLIT_RULES);

    private static final Duration SEEN_WITHIN = Duration.ofSeconds(30);
    private static final int LOAD_THREADS = 3;
    private static final long LOAD_STATEMENTS_MAX = 200_000;
    private static final Duration LOAD_TIME_MAX = Duration.ofSeconds(60);

    private Path profile;
    private WebDriver browser;
    private final AtomicBoolean loadStop = new AtomicBoolean();
    private final List<Thread> load = new ArrayList<>();

    @BeforeEach
    void openBrowser() throws IOException {
        profile = Files.createTempDirectory("switchyard-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1400,1250", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void closeBrowser() throws Exception {
        loadStop.set(true);
        for (Thread t : load) {
            t.join(10_000);
        }
        if (browser != null) {
            browser.quit();
        }
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void aPersonSeesTheServersTrafficAndAShunnedReplica() throws Exception {
        fixture.cluster().primary().execute("CREATE TABLE app.console (id INT PRIMARY KEY, v VARCHAR(20))",
                "INSERT INTO app.console VALUES (1, 'one'), (2, 'two'), (3, 'three')");
        int metricsPort = fixture.proxy().metrics().orElseThrow().port();
        MariaDbServer replica = fixture.cluster().replicas().get(0);
        String replicaAddress = "127.0.0.1:" + replica.port();
        String primaryAddress = "127.0.0.1:" + fixture.cluster().primary().port();

        browser.get("http://127.0.0.1:" + metricsPort + "/");
        assertThat(browser.getTitle()).isEqualTo("Switchyard console");
        assertThat(browser.findElement(By.id("fleet")).isDisplayed()).as("no fleet section when the proxy runs alone").isFalse();
        assertThat(seen(() -> status(0, primaryAddress).equals("ONLINE") && status(1, replicaAddress).equals("ONLINE")))
                .as("both servers shown ONLINE").isTrue();

        AtomicLong selects = new AtomicLong();
        startLoad(selects);
        long replicaQueriesBefore = number(cell(1, replicaAddress, "queries").getText());
        assertThat(seen(() -> number(text(By.id("rate"))) > 0)).as("statements/s shown above zero under load").isTrue();
        long statementsShown = number(text(By.id("statements")));
        assertThat(seen(() -> number(text(By.id("statements"))) > statementsShown)).as("the statement total moves").isTrue();
        assertThat(seen(() -> number(cell(1, replicaAddress, "queries").getText()) > replicaQueriesBefore))
                .as("the replica's query count moves").isTrue();
        assertThat(seen(() -> browser.findElements(By.cssSelector("#digests tbody tr div.sql")).stream()
                .anyMatch(td -> td.getText().startsWith("SELECT v FROM app.console WHERE id = ?"))))
                .as("the load's digest among the top statements, without its literal values").isTrue();
        assertThat(seen(() -> !browser.findElements(By.cssSelector("#rate-chart polyline[data-series=rate]")).isEmpty()
                && browser.findElement(By.cssSelector("#rate-chart polyline[data-series=rate]")).getAttribute("points").contains(" ")))
                .as("the rate chart draws a line").isTrue();
        screenshot("console.png");

        replica.kill();
        assertThat(seen(() -> status(1, replicaAddress).equals("SHUNNED"))).as("the killed replica shown SHUNNED").isTrue();
        assertThat(status(0, primaryAddress)).isEqualTo("ONLINE");
        assertThat(seen(() -> browser.findElements(By.cssSelector("#changes tbody tr")).stream()
                .anyMatch(tr -> replicaAddress.equals(tr.getAttribute("data-server")) && tr.getText().contains("ONLINE → SHUNNED"))))
                .as("the status change listed").isTrue();
        assertThat(seen(() -> browser.findElements(By.cssSelector("#errors tbody tr")).stream()
                .anyMatch(tr -> replicaAddress.equals(tr.getAttribute("data-server")))))
                .as("the monitor's failed checks of the replica listed").isTrue();
        screenshot("console-shunned.png");
        assertThat(selects.get()).as("statements the load ran").isPositive();
    }

    /** Clients reading from the replica until the test ends, a count or a time is reached; errors after the kill are expected. */
    private void startLoad(AtomicLong done) {
        long deadline = System.nanoTime() + LOAD_TIME_MAX.toNanos();
        for (int i = 0; i < LOAD_THREADS; i++) {
            Thread t = new Thread(() -> {
                while (!loadStop.get() && System.nanoTime() < deadline && done.get() < LOAD_STATEMENTS_MAX) {
                    try (Connection c = fixture.mysql(""); Statement s = c.createStatement()) {
                        while (!loadStop.get() && System.nanoTime() < deadline && done.incrementAndGet() < LOAD_STATEMENTS_MAX) {
                            try (ResultSet r = s.executeQuery("SELECT v FROM app.console WHERE id = " + (1 + done.get() % 3))) {
                                r.next();
                            }
                        }
                    } catch (Exception e) {
                        sleep(100);
                    }
                }
            }, "console-load-" + i);
            t.setDaemon(true);
            t.start();
            load.add(t);
        }
    }

    private boolean seen(java.util.function.BooleanSupplier condition) {
        try {
            // The console re-renders its tables as figures arrive: a row read while it is replaced is read again.
            new WebDriverWait(browser, SEEN_WITHIN, Duration.ofMillis(250))
                    .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                    .until(b -> condition.getAsBoolean());
            return true;
        } catch (org.openqa.selenium.TimeoutException e) {
            return false;
        }
    }

    private String status(int hostgroup, String server) {
        return cell(hostgroup, server, "status").getText();
    }

    private WebElement cell(int hostgroup, String server, String cssClass) {
        return browser.findElement(By.cssSelector("#servers tr[data-hostgroup='" + hostgroup + "'][data-server='" + server + "'] td."
                + cssClass));
    }

    private String text(By by) {
        return browser.findElement(by).getText();
    }

    /** A number as the page prints it ({@code 12,345} or {@code 12.5}); -1 for a dash. */
    private static long number(String shown) {
        String digits = shown.replace(",", "").trim();
        if (digits.isEmpty() || digits.equals("–")) {
            return -1;
        }
        return Math.round(Double.parseDouble(digits));
    }

    private void screenshot(String name) throws IOException {
        byte[] png = ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Path target = Path.of("target", name);
        Files.createDirectories(target.getParent());
        Files.write(target, png);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
