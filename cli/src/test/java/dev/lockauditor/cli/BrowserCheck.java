package dev.lockauditor.cli;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * A page as a person sees it: opened from a file in Debian's headless Chromium, driven by its chromedriver (given
 * by path: nothing is downloaded). Where Chromium is not installed the check is skipped, unless
 * {@code LOCK_AUDITOR_BROWSER_TESTS=required} (as {@code .ci/run} sets it, having installed Chromium), which fails it.
 */
final class BrowserCheck implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    /** What the page showed: its lock session rows by state, its alerts by state, its console errors, what it loaded. */
    record Seen(Map<String, List<String>> sessions, Map<String, List<String>> alerts, List<String> consoleErrors,
                long resourcesLoaded, long foreignElements, String text) {
    }

    /**
     * How the page looks: its background in light and in dark (the system's preference), whether it fits a phone's
     * width (nothing wider than the window), and its text colour when printed.
     */
    record Looks(String light, String dark, boolean fitsNarrow, String printed) {
    }

    private final ChromeDriver driver;

    private BrowserCheck(ChromeDriver driver) {
        this.driver = driver;
    }

    static BrowserCheck start() {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!installed && "required".equals(System.getenv("LOCK_AUDITOR_BROWSER_TESTS"))) {
            throw new AssertionError("Chromium and its driver are required (LOCK_AUDITOR_BROWSER_TESTS=required): "
                    + "apt-get install chromium chromium-driver");
        }
        Assumptions.assumeTrue(installed, "Chromium not installed: apt-get install chromium chromium-driver");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--window-size=1280,1800", "--hide-scrollbars");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        return new BrowserCheck(new ChromeDriver(service, options));
    }

    /** Opens the page, reads it as a person would, and saves a screenshot of its first screen to {@code screenshot}. */
    Seen open(Path page, Path screenshot) throws Exception {
        driver.get(page.toAbsolutePath().toUri().toString());
        Map<String, List<String>> sessions = new LinkedHashMap<>();
        Map<String, List<String>> alerts = new LinkedHashMap<>();
        for (WebElement section : driver.findElements(By.cssSelector("section"))) {
            String state = section.findElement(By.tagName("h2")).getText();
            List<String> rows = new ArrayList<>();
            section.findElements(By.cssSelector("table.sessions tr[data-lock-id]"))
                    .forEach(row -> rows.add(row.getAttribute("data-lock-id") + " | " + row.getText()));
            sessions.put(state, rows);
            List<String> raised = new ArrayList<>();
            section.findElements(By.cssSelector("table.alerts tr td:nth-child(2)")).forEach(cell -> raised.add(cell.getText()));
            alerts.put(state, raised);
        }
        List<String> errors = new ArrayList<>();
        for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
            if (entry.getLevel().intValue() >= Level.SEVERE.intValue()) {
                errors.add(entry.getMessage());
            }
        }
        long loaded = ((Number) driver.executeScript(
                "return performance.getEntriesByType('resource').length")).longValue();
        long foreign = ((Number) driver.executeScript(
                "return document.querySelectorAll('script,img,iframe,object,embed,link,form,input,video,audio').length"))
                .longValue();
        String text = (String) driver.executeScript("return document.body.innerText");
        File shot = driver.getScreenshotAs(OutputType.FILE);
        Files.createDirectories(screenshot.getParent());
        Files.copy(shot.toPath(), screenshot, StandardCopyOption.REPLACE_EXISTING);
        return new Seen(sessions, alerts, errors, loaded, foreign, text);
    }

    /** The page in light and dark, in a 375-pixel-wide window, and as printed. */
    Looks looks(Path page) {
        String background = "return getComputedStyle(document.querySelector('.lock-auditor')).backgroundColor";
        driver.get(page.toAbsolutePath().toUri().toString());
        media(null, "light");
        String light = (String) driver.executeScript(background);
        media(null, "dark");
        String dark = (String) driver.executeScript(background);
        media(null, "light");
        org.openqa.selenium.Dimension wide = driver.manage().window().getSize();
        driver.manage().window().setSize(new org.openqa.selenium.Dimension(375, 800));
        driver.navigate().refresh();
        boolean fits = (Boolean) driver.executeScript(
                "return document.documentElement.scrollWidth <= window.innerWidth + 1");
        driver.manage().window().setSize(wide);
        media("print", "light");
        String printed = (String) driver.executeScript(
                "return getComputedStyle(document.querySelector('.lock-auditor')).color");
        media("", "light");
        return new Looks(light, dark, fits, printed);
    }

    private void media(String type, String scheme) {
        Map<String, Object> emulated = new LinkedHashMap<>();
        if (type != null) {
            emulated.put("media", type);
        }
        emulated.put("features", List.of(Map.of("name", "prefers-color-scheme", "value", scheme)));
        driver.executeCdpCommand("Emulation.setEmulatedMedia", emulated);
    }

    @Override
    public void close() {
        driver.quit();
    }
}
