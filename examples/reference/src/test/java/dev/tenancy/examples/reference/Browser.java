package dev.tenancy.examples.reference;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A real headless Chromium for the console's browser tests: the system's {@code chromium} and
 * {@code chromedriver} (Debian: {@code chromium}, {@code chromium-driver}), found on the {@code
 * PATH}. Without them the browser tests are skipped, or fail when {@code
 * TENANCY_REQUIRE_BROWSER=true} ({@code .ci/run} installs both and sets it).
 */
final class Browser {
    private Browser() {}

    /** A headless Chromium at 1280 x 900, or the test is skipped. */
    static WebDriver open() {
        Optional<Path> chromium = onPath("chromium", "chromium-browser", "google-chrome");
        Optional<Path> driver = onPath("chromedriver");
        if (chromium.isEmpty() || driver.isEmpty()) {
            String why = "No chromium and chromedriver on the PATH (Debian: apt-get install chromium chromium-driver)";
            if (Boolean.parseBoolean(System.getenv("TENANCY_REQUIRE_BROWSER"))) {
                throw new IllegalStateException(why + " and TENANCY_REQUIRE_BROWSER=true");
            }
            Assumptions.abort(why + "; the browser tests are skipped");
        }
        ChromeOptions options = new ChromeOptions()
                .setBinary(chromium.get().toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(driver.get().toFile())
                .usingAnyFreePort()
                .build();
        ChromeDriver browser = new ChromeDriver(service, options);
        browser.manage().timeouts().implicitlyWait(Duration.ZERO);
        return browser;
    }

    /** Saves what the browser shows as {@code target/screenshots/<name>.png}; returns the file. */
    static Path screenshot(WebDriver browser, String name) throws Exception {
        Path file = Path.of("target", "screenshots", name + ".png");
        Files.createDirectories(file.getParent());
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return file;
    }

    private static Optional<Path> onPath(String... names) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String name : names) {
            for (String directory : List.of(path.split(File.pathSeparator))) {
                Path candidate = Path.of(directory, name);
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }
}
