package dev.tenancy.examples.reference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenancy.testkit.TestDatabase;
import dev.tenancy.testkit.TestDns;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The reference app as its users meet it, over HTTP: tenants using the campaigns API in every
 * isolation model, and platform staff using the admin console's API with their roles' permissions.
 * Runs on H2 and PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ReferenceAppContract {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final CookieManager cookies = new CookieManager();
    private final HttpClient http =
            HttpClient.newBuilder().cookieHandler(cookies).build();
    private TestDatabase database;
    private ConfigurableApplicationContext app;
    private String base;
    /** Where the app asks DNS: a dnsmasq the domain test starts, with the records it publishes. */
    private final int dnsPort = TestDns.freePort();

    abstract TestDatabase database();

    /** What this database's run adds to the command line (PostgreSQL: the recommended set-up's profile). */
    List<String> arguments() {
        return List.of();
    }

    TestDatabase testDatabase() {
        return database;
    }

    @BeforeAll
    void start() {
        database = database();
        // initech's database of its own is named after it, on the server: none left from an earlier run, none left
        // after.
        if (database.kind() == TestDatabase.Kind.POSTGRESQL) {
            database.execute("DROP DATABASE IF EXISTS t_initech WITH (FORCE)");
        }
        database.dropOnClose("t_initech");
        // Command-line arguments, which win over application.properties (builder properties would not).
        List<String> arguments = new ArrayList<>(List.of(
                "--server.port=0",
                "--spring.datasource.url=" + database.jdbcUrl(),
                "--spring.datasource.username=" + database.user(),
                "--spring.datasource.password=" + database.password(),
                "--tenancy.domains.dns-server=127.0.0.1:" + dnsPort,
                "--tenancy.servers.default.database-url-template=" + database.databaseUrlTemplate(),
                "--tenancy.offboarding.expiry-sweep=200ms",
                "--tenancy.billing.rate-limits.audit-window=200ms"));
        arguments.addAll(arguments());
        app = new SpringApplicationBuilder(ReferenceApplication.class).run(arguments.toArray(String[]::new));
        base = "http://localhost:" + app.getEnvironment().getProperty("local.server.port");
    }

    @AfterAll
    void stop() {
        if (app != null) {
            app.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void staffSignIn_seeTheTenantList_andSignOut_inARealBrowser() throws Exception {
        WebDriver browser = Browser.open();
        try {
            WebDriverWait wait = new WebDriverWait(browser, java.time.Duration.ofSeconds(15));
            browser.get(base + "/admin/");
            wait.until(d -> d.getCurrentUrl().contains("/login")); // signed out: the login page
            browser.findElement(By.name("username")).sendKeys("admin");
            browser.findElement(By.name("password")).sendKeys("admin");
            browser.findElement(By.cssSelector("button[type=submit]")).click();

            wait.until(d -> d.findElements(By.cssSelector("#tenants tr")).size() >= 4);
            assertThat(browser.findElement(By.id("tenants")).getText()).contains("acme", "globex", "initech", "hooli");
            assertThat(browser.findElement(By.id("error")).getText()).isEmpty();
            assertThat(browser.findElement(By.id("who")).getText()).contains("admin");
            Browser.screenshot(
                    browser, "console-tenants-" + database.kind().name().toLowerCase(java.util.Locale.ROOT));

            openAcme(browser, wait);
            assertThat(buttons(browser)).contains("suspend", "archive", "free platform access", "turn on");

            browser.findElement(By.id("logout")).click();
            wait.until(d -> d.getCurrentUrl().contains("/login?logout"));
            browser.get(base + "/admin/");
            wait.until(d -> d.getCurrentUrl().contains("/login")); // signed out for good

            // support may look, not act: what it may not do is not offered
            browser.findElement(By.name("username")).sendKeys("support");
            browser.findElement(By.name("password")).sendKeys("support");
            browser.findElement(By.cssSelector("button[type=submit]")).click();
            wait.until(d -> d.findElements(By.cssSelector("#tenants tr")).size() >= 4);
            openAcme(browser, wait);
            assertThat(buttons(browser))
                    .doesNotContain("suspend", "archive", "free platform access", "turn on", "set up owner login");
            assertThat(browser.findElement(By.id("newTenantPanel")).isDisplayed())
                    .isFalse();
            for (int width : List.of(1280, 820)) { // a laptop and a tablet: nothing is cut off at the right
                browser.manage().window().setSize(new org.openqa.selenium.Dimension(width, 900));
                Long overflow = (Long) ((org.openqa.selenium.JavascriptExecutor) browser)
                        .executeScript("return document.documentElement.scrollWidth - window.innerWidth");
                assertThat(overflow).as("horizontal overflow at %d px", width).isLessThanOrEqualTo(0L);
                Browser.screenshot(
                        browser,
                        "console-support-" + width + "-"
                                + database.kind().name().toLowerCase(java.util.Locale.ROOT));
            }
        } catch (RuntimeException | AssertionError e) {
            Browser.screenshot(
                    browser, "console-failed-" + database.kind().name().toLowerCase(java.util.Locale.ROOT));
            throw e;
        } finally {
            browser.quit();
        }
    }

    @Test
    void staffArchiveWithAReasonInADialog_andARefusalStaysBesideTheAction_inARealBrowser() throws Exception {
        freeTenantCreatedByStaff("dialog-co", "Dialog Co");
        WebDriver browser = Browser.open();
        try {
            WebDriverWait wait = new WebDriverWait(browser, java.time.Duration.ofSeconds(15));
            browser.get(base + "/admin/");
            wait.until(d -> d.getCurrentUrl().contains("/login"));
            browser.findElement(By.name("username")).sendKeys("admin");
            browser.findElement(By.name("password")).sendKeys("admin");
            browser.findElement(By.cssSelector("button[type=submit]")).click();
            wait.until(d -> d.findElements(By.cssSelector("#tenants tr")).size() >= 4);

            browser.findElement(By.id("search"))
                    .sendKeys("dialog-co", org.openqa.selenium.Keys.ENTER); // Enter searches
            wait.until(d -> d.findElements(By.cssSelector("#tenants tr")).size() == 1);
            browser.findElement(By.cssSelector("#tenants tr")).click();
            wait.until(d -> d.findElement(By.id("detail")).getText().contains("Dialog Co (dialog-co)"));

            clickButton(browser, "archive");
            wait.until(d -> d.findElement(By.id("reasonDialog")).isDisplayed());
            browser.findElement(By.id("reasonInput")).sendKeys("Cancelled in writing, ticket #5");
            browser.findElement(By.id("reasonConfirm")).click();
            wait.until(d ->
                    d.findElement(By.id("detail")).getText().contains("archived: Cancelled in writing, ticket #5"));

            clickButton(browser, "purge"); // inside the 30 days' retention, without force: refused
            wait.until(d -> d.findElement(By.id("reasonDialog")).isDisplayed());
            browser.findElement(By.id("reasonInput")).sendKeys("Customer asked");
            browser.findElement(By.id("reasonConfirm")).click();
            wait.until(d -> d.findElement(By.id("error")).getText().contains("retention period"));
            Thread.sleep(1_000); // nothing reloads it away
            org.openqa.selenium.WebElement refusal = browser.findElement(By.id("error"));
            assertThat(refusal.getText()).contains("retention period");
            org.openqa.selenium.WebElement purge = browser.findElements(By.cssSelector("#detail button")).stream()
                    .filter(b -> b.getText().equals("purge"))
                    .findFirst()
                    .orElseThrow();
            assertThat(refusal.getLocation().getY() - purge.getLocation().getY())
                    .as("the refusal shows beside the action")
                    .isBetween(0, 80);
            Browser.screenshot(
                    browser, "console-refusal-" + database.kind().name().toLowerCase(java.util.Locale.ROOT));
        } catch (RuntimeException | AssertionError e) {
            Browser.screenshot(
                    browser, "console-dialog-failed-" + database.kind().name().toLowerCase(java.util.Locale.ROOT));
            throw e;
        } finally {
            browser.quit();
        }
    }

    private static void clickButton(WebDriver browser, String label) {
        browser.findElements(By.cssSelector("#detail button")).stream()
                .filter(b -> b.getText().equals(label))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + label + " button in " + buttons(browser)))
                .click();
    }

    @Test
    void staffPreviewTheSubscriptionCycle_thenRunIt_inARealBrowser() throws Exception {
        WebDriver browser = Browser.open();
        try {
            WebDriverWait wait = new WebDriverWait(browser, java.time.Duration.ofSeconds(15));
            browser.get(base + "/admin/");
            wait.until(d -> d.getCurrentUrl().contains("/login"));
            browser.findElement(By.name("username")).sendKeys("admin");
            browser.findElement(By.name("password")).sendKeys("admin");
            browser.findElement(By.cssSelector("button[type=submit]")).click();
            wait.until(d -> d.findElements(By.cssSelector("#jobRows tr")).size() == 4);
            org.openqa.selenium.WebElement cycle = browser.findElements(By.cssSelector("#jobRows tr")).stream()
                    .filter(row -> row.getText().startsWith("subscription-cycle"))
                    .findFirst()
                    .orElseThrow();
            cycle.findElement(By.xpath(".//button[text()='dry run']")).click();
            wait.until(d -> d.findElement(By.id("jobResult")).getText().startsWith("Dry run of subscription-cycle"));
            assertThat(browser.findElement(By.id("jobResult")).getText())
                    .contains(
                            "createdCount",
                            "skippedExistingCount",
                            "skippedFreeCount",
                            "skippedStatusCount",
                            "skippedNoChargeCount");

            browser.findElements(By.cssSelector("#jobRows tr")).stream()
                    .filter(row -> row.getText().startsWith("subscription-cycle"))
                    .findFirst()
                    .orElseThrow()
                    .findElement(By.xpath(".//button[text()='run now']"))
                    .click();
            wait.until(d -> d.findElement(By.id("reasonDialog")).isDisplayed()); // confirmed before invoicing
            browser.findElement(By.id("reasonInput")).sendKeys("Monthly run after the preview");
            browser.findElement(By.id("reasonConfirm")).click();
            wait.until(d -> d.findElement(By.id("jobResult")).getText().startsWith("Ran subscription-cycle"));
            assertThat(browser.findElement(By.id("analytics")).getText()).contains("churned this month");
            Browser.screenshot(browser, "console-jobs-" + database.kind().name().toLowerCase(java.util.Locale.ROOT));
        } catch (RuntimeException | AssertionError e) {
            Browser.screenshot(
                    browser, "console-jobs-failed-" + database.kind().name().toLowerCase(java.util.Locale.ROOT));
            throw e;
        } finally {
            browser.quit();
        }
    }

    @Test
    void theTenantList_sortsByNameOrCreation_andPages_inARealBrowser() throws Exception {
        for (int i = 1; i <= 22; i++) { // more than one page of 20
            HttpResponse<String> created = staff(
                    "admin",
                    "POST",
                    "/admin/api/tenants",
                    "{\"id\": \"page-" + i + "\", \"name\": \"Page " + (char) ('A' + i) + " Co\", \"ownerEmail\": \"o@p"
                            + i + ".example\"}");
            assertThat(created.statusCode()).as(created.body()).isIn(200, 409);
        }
        WebDriver browser = Browser.open();
        try {
            WebDriverWait wait = new WebDriverWait(browser, java.time.Duration.ofSeconds(15));
            browser.get(base + "/admin/");
            wait.until(d -> d.getCurrentUrl().contains("/login"));
            browser.findElement(By.name("username")).sendKeys("admin");
            browser.findElement(By.name("password")).sendKeys("admin");
            browser.findElement(By.cssSelector("button[type=submit]")).click();
            wait.until(d -> d.findElement(By.id("total")).getText().startsWith("1–20 of "));

            assertThat(names(browser)) // by name, A to Z, at first
                    .isEqualTo(names(browser).stream()
                            .sorted(String.CASE_INSENSITIVE_ORDER)
                            .toList());
            browser.findElement(By.cssSelector("button.sort[data-sort=name]")).click(); // again: Z to A
            wait.until(d -> names(d).equals(names(d).stream()
                    .sorted(String.CASE_INSENSITIVE_ORDER.reversed())
                    .toList()));
            List<String> first = names(browser);
            browser.findElement(By.id("nextPage")).click();
            wait.until(d -> d.findElement(By.id("total")).getText().startsWith("21–"));
            assertThat(names(browser)).doesNotContainAnyElementsOf(first);
            assertThat(browser.findElement(By.id("tenants")).getText()).contains(".example");
            Browser.screenshot(
                    browser, "console-pages-" + database.kind().name().toLowerCase(java.util.Locale.ROOT));
        } catch (RuntimeException | AssertionError e) {
            Browser.screenshot(
                    browser, "console-pages-failed-" + database.kind().name().toLowerCase(java.util.Locale.ROOT));
            throw e;
        } finally {
            browser.quit();
        }
    }

    /** The display names in the console's tenant list, in order (read at once: the list re-renders). */
    @SuppressWarnings("unchecked")
    private static List<String> names(WebDriver browser) {
        return (List<String>) ((org.openqa.selenium.JavascriptExecutor) browser)
                .executeScript("return Array.from(document.querySelectorAll('#tenants tr'))"
                        + ".map(row => row.children[1].textContent)");
    }

    /** Opens acme's detail in the console. */
    private static void openAcme(WebDriver browser, WebDriverWait wait) {
        browser.findElements(By.cssSelector("#tenants tr")).stream()
                .filter(row -> row.getText().startsWith("acme "))
                .findFirst()
                .orElseThrow()
                .click();
        wait.until(d -> d.findElement(By.id("detail")).getText().contains("Acme Corp (acme)"));
    }

    /** The labels of the buttons in the console's detail panel. */
    private static List<String> buttons(WebDriver browser) {
        return browser.findElements(By.cssSelector("#detail button")).stream()
                .map(org.openqa.selenium.WebElement::getText)
                .toList();
    }

    @Test
    void eachTenantSeesOnlyItsOwnCampaigns_sharedSchemaOrDatabase() throws Exception {
        HttpResponse<String> created = tenant("acme", "POST", "/api/campaigns", "{\"name\": \"Black Friday\"}");
        assertThat(created.statusCode()).isEqualTo(201);

        assertThat(names(tenant("acme", "GET", "/api/campaigns", null)))
                .containsExactly("Acme Corp: Welcome series", "Acme Corp: Spring newsletter", "Black Friday");
        assertThat(names(tenant("globex", "GET", "/api/campaigns", null)))
                .containsExactly("Globex: Welcome series", "Globex: Spring newsletter");
        assertThat(names(send(HttpRequest.newBuilder(URI.create(base + "/t/initech/api/campaigns")))))
                .containsExactly("Initech: Welcome series", "Initech: Spring newsletter");
        assertThat(json(tenant("initech", "GET", "/api/me", null))
                        .get("isolation")
                        .asString())
                .isEqualTo("DATABASE");
    }

    @Test
    void aTenantInvitesATeamMember_whoJoinsThroughTheLinkOnce() throws Exception {
        HttpResponse<String> sent = tenant(
                "globex",
                "POST",
                "/api/team/invitations",
                "{\"email\": \"Jane@Globex.example\", \"role\": \"editor\"}");
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(201);
        String link = json(sent).get("link").asString();
        String id = json(sent).get("invitation").get("id").asString();
        assertThat(link).startsWith("/join/");

        HttpResponse<String> twice = tenant(
                "globex",
                "POST",
                "/api/team/invitations",
                "{\"email\": \"jane@globex.example\", \"role\": \"editor\"}");
        assertThat(twice.statusCode()).isEqualTo(409);
        assertThat(json(twice).get("detail").asString()).contains("resend or cancel it");
        HttpResponse<String> tooSoon = tenant("globex", "POST", "/api/team/invitations/" + id + "/resend", null);
        assertThat(tooSoon.statusCode()).as("resent at most once a minute").isEqualTo(429);
        assertThat(tooSoon.headers().firstValue("Retry-After")).isPresent();
        assertThat(json(tooSoon).get("detail").asString()).contains("can be resent from");
        assertThat(tenant("acme", "DELETE", "/api/team/invitations/" + id, null).statusCode())
                .as("another tenant's invitation is unknown")
                .isEqualTo(400);

        HttpResponse<String> joined = send(request("POST", link, "{\"userId\": \"user-jane\"}"));
        assertThat(joined.statusCode()).as(joined.body()).isEqualTo(200);
        assertThat(json(joined).get("tenant").asString()).isEqualTo("globex");
        assertThat(json(joined).get("status").asString()).isEqualTo("ACCEPTED");
        assertThat(send(request("POST", link, "{\"userId\": \"user-eve\"}")).statusCode())
                .isEqualTo(410);
        assertThat(send(request("POST", "/join/forged", "{\"userId\": \"user-eve\"}"))
                        .statusCode())
                .isEqualTo(404);

        JsonNode listed = json(tenant("globex", "GET", "/api/team/invitations", null));
        assertThat(listed.get(0).get("email").asString()).isEqualTo("jane@globex.example");
        assertThat(listed.toString()).doesNotContain(link.substring("/join/".length()));
        assertThat(json(staff("admin", "GET", "/admin/api/audit?tenant=globex", null))
                        .toString())
                .contains("invitation.created", "invitation.accepted");
    }

    @Test
    void staffSetUpATenantsOwnerLogin_byAnInvitationTheOwnerAccepts() throws Exception {
        assertThat(json(staff("admin", "GET", "/admin/api/tenants/acme", null))
                        .get("ownerLogin")
                        .get("status")
                        .asString())
                .isEqualTo("not_configured");
        assertThat(staff(
                                "support",
                                "POST",
                                "/admin/api/tenants/acme/owner-invitation",
                                "{\"email\": \"x@acme.example\"}")
                        .statusCode())
                .isEqualTo(403);

        HttpResponse<String> sent = staff(
                "admin", "POST", "/admin/api/tenants/acme/owner-invitation", "{\"email\": \"jane@acme.example\"}");
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
        assertThat(json(staff("admin", "GET", "/admin/api/tenants/acme", null))
                        .get("ownerLogin")
                        .get("status")
                        .asString())
                .isEqualTo("invited");

        String link = json(sent).get("link").asString();
        assertThat(send(request("POST", link, "{\"userId\": \"user-jane\"}")).statusCode())
                .isEqualTo(200);
        JsonNode acme = json(staff("admin", "GET", "/admin/api/tenants/acme", null));
        assertThat(acme.get("team").get(0).get("email").asString()).isEqualTo("jane@acme.example");
        assertThat(acme.get("settings").get("branding").get("primaryColor").asString())
                .isNotBlank();
        assertThat(acme.has("securityEvents"))
                .as("system_admin may read security events")
                .isTrue();
        assertThat(json(staff("sales", "GET", "/admin/api/tenants/acme", null)).has("securityEvents"))
                .as("sales may not")
                .isFalse();
        JsonNode login = acme.get("ownerLogin");
        assertThat(login.get("status").asString()).isEqualTo("configured");
        assertThat(login.get("userId").asString()).isEqualTo("user-jane");
    }

    @Test
    void aTenantChangesItsSettings_fieldByField_andBadValuesAreRefusedNamingTheFix() throws Exception {
        assertThat(json(tenant("initech", "GET", "/api/settings", null))
                        .get("branding")
                        .get("primaryColor")
                        .asString())
                .isEqualTo("#2563eb");

        HttpResponse<String> changed = tenant("initech", "PUT", "/api/settings/security", "{\"mfaRequired\": true}");
        assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
        JsonNode security =
                json(tenant("initech", "GET", "/api/settings", null)).get("security");
        assertThat(security.get("mfaRequired").asBoolean()).isTrue();
        assertThat(security.get("sessionTimeoutMinutes").asInt()).isEqualTo(60);
        assertThat(json(tenant("globex", "GET", "/api/settings", null))
                        .get("security")
                        .get("mfaRequired")
                        .asBoolean())
                .isFalse();

        HttpResponse<String> bad = tenant("initech", "PUT", "/api/settings/branding", "{\"primaryColor\": \"orange\"}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json(bad).get("detail").asString()).contains("like #2563eb, was 'orange'");
    }

    @Test
    void aTenantMapsItsOwnDomain_whichResolvesOnceItsDnsRecordIsVerified_andTheFirstVerifiedIsPrimary()
            throws Exception {
        HttpResponse<String> added =
                tenant("globex", "POST", "/api/domains", "{\"domain\": \"Portal.Globex.example\"}");
        assertThat(added.statusCode()).isEqualTo(201);
        JsonNode challenge = json(added);
        assertThat(challenge.get("recordName").asString()).isEqualTo("_tenancy-challenge.portal.globex.example");
        assertThat(withHost("/api/me", "portal.globex.example"))
                .as("an unverified domain names no tenant")
                .startsWith("HTTP/1.1 400");
        try (TestDns dns = TestDns.start(dnsPort, Map.of())) {
            HttpResponse<String> unpublished =
                    tenant("globex", "POST", "/api/domains/portal.globex.example/verify", null);
            assertThat(unpublished.statusCode()).as("no record yet").isEqualTo(422);
            assertThat(json(unpublished).get("detail").asString())
                    .contains("publish a TXT record _tenancy-challenge.portal.globex.example with the value "
                            + challenge.get("recordValue").asString());

            dns.serve(Map.of(
                    challenge.get("recordName").asString(),
                    List.of(challenge.get("recordValue").asString())));
            assertThat(tenant("acme", "POST", "/api/domains/portal.globex.example/verify", null)
                            .statusCode())
                    .as("another tenant's domain is unknown")
                    .isEqualTo(400);
            JsonNode verified = json(tenant("globex", "POST", "/api/domains/portal.globex.example/verify", null));
            assertThat(verified.get("verified").asBoolean()).isTrue();
            assertThat(verified.get("primary").asBoolean()).isTrue();
        }
        assertThat(withHost("/api/me", "Portal.Globex.example:8443"))
                .startsWith("HTTP/1.1 200")
                .contains("\"tenant\":\"globex\"", "\"resolvedBy\":\"custom-domain\"");
        assertThat(tenant("globex", "POST", "/api/domains", "{\"domain\": \"shop.globex.example\"}")
                        .statusCode())
                .isEqualTo(201);
        HttpResponse<String> unverifiedPrimary =
                tenant("globex", "POST", "/api/domains/shop.globex.example/primary", null);
        assertThat(unverifiedPrimary.statusCode()).isEqualTo(409);
        assertThat(json(unverifiedPrimary).get("detail").asString()).contains("verify it");
    }

    @Test
    void aTenantCannotClaimThePlatformsHostAnotherTenantsSubdomainOrAnAddress() throws Exception {
        for (String domain : List.of("localhost", "globex.localhost", "127.0.0.1", "intranet", "[::1]")) {
            HttpResponse<String> refused = tenant("acme", "POST", "/api/domains", "{\"domain\": \"" + domain + "\"}");
            assertThat(refused.statusCode()).as(domain).isEqualTo(400);
            assertThat(refused.headers().firstValue("Content-Type")).contains("application/problem+json");
            assertThat(json(refused).get("detail").asString()).contains("cannot be a custom domain");
        }
        assertThat(withHost("/api/me", "globex.localhost"))
                .as("globex's subdomain still serves globex")
                .startsWith("HTTP/1.1 200")
                .contains("\"tenant\":\"globex\"");
    }

    @Test
    void staffArchiveExportAndPurgeAChurnedTenant_withItsInvitationsAndSettings() throws Exception {
        freeTenantCreatedByStaff("churner", "Churner");
        assertThat(tenant(
                                "churner",
                                "POST",
                                "/api/team/invitations",
                                "{\"email\": \"a@churner.example\", \"role\": \"editor\"}")
                        .statusCode())
                .isEqualTo(201);
        assertThat(tenant("churner", "PUT", "/api/settings/security", "{\"mfaRequired\": true}")
                        .statusCode())
                .isEqualTo(200);
        assertThat(staff("admin", "POST", "/admin/api/tenants/churner/purge", "{\"force\": true}")
                        .statusCode())
                .as("a live tenant is not purged")
                .isEqualTo(409);
        assertThat(download("admin", "/admin/api/tenants/churner/export").statusCode())
                .as("a live tenant's data is not exported")
                .isEqualTo(409);

        assertThat(staff(
                                "admin",
                                "POST",
                                "/admin/api/tenants/churner/archive",
                                "{\"reason\": \"Cancelled in writing\"}")
                        .statusCode())
                .isEqualTo(200);
        HttpResponse<byte[]> exported = download("admin", "/admin/api/tenants/churner/export");
        assertThat(exported.statusCode()).isEqualTo(200);
        assertThat(exported.headers().firstValue("Content-Disposition"))
                .contains("attachment; filename=\"churner-export.zip\"");
        assertThat(zipEntries(exported.body()).get("campaigns.jsonl").lines())
                .hasSize(2)
                .allSatisfy(line -> assertThat(line).contains("\"tenant_id\":\"churner\""));
        assertThat(download("support", "/admin/api/tenants/churner/export").statusCode())
                .as("support may read a tenant, not download its customers' data")
                .isEqualTo(403);
        HttpResponse<String> early = staff("admin", "POST", "/admin/api/tenants/churner/purge", "{\"force\": false}");
        assertThat(early.statusCode()).isEqualTo(409);
        assertThat(json(early).get("detail").asString()).contains("retention period");

        HttpResponse<String> purged = staff("admin", "POST", "/admin/api/tenants/churner/purge", "{\"force\": true}");
        assertThat(purged.statusCode()).as(purged.body()).isEqualTo(200);
        assertThat(json(purged).get("status").asString()).isEqualTo("PURGED");
        JsonNode detail = json(staff("admin", "GET", "/admin/api/tenants/churner", null));
        assertThat(detail.get("team")).isEmpty();
        assertThat(detail.get("settings").get("security").get("mfaRequired").asBoolean())
                .isFalse();
    }

    @Test
    void staffCreateATestTenant_withSampleData_extendIt_andItIsDeletedOnceItExpires() throws Exception {
        HttpResponse<String> created = staff("admin", "POST", "/admin/api/sandboxes", "{\"days\": 7}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        JsonNode sandbox = json(created);
        String id = sandbox.get("id").asString();
        assertThat(id).startsWith("sandbox-");
        assertThat(sandbox.get("status").asString()).isEqualTo("ACTIVE");
        java.time.Instant expiresAt =
                java.time.Instant.parse(sandbox.get("expiresAt").asString());
        assertThat(expiresAt)
                .isBetween(
                        java.time.Instant.now().plus(java.time.Duration.ofDays(6)),
                        java.time.Instant.now().plus(java.time.Duration.ofDays(7)));
        assertThat(names(tenant(id, "GET", "/api/campaigns", null)))
                .as("sample data")
                .hasSize(2);
        assertThat(json(staff("admin", "GET", "/admin/api/tenants?expiringWithinDays=30", null))
                        .get("items")
                        .toString())
                .contains(id)
                .doesNotContain("\"acme\"");

        HttpResponse<String> tooLong = staff("admin", "POST", "/admin/api/sandboxes", "{\"days\": 365}");
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(json(tooLong).get("detail").asString()).contains("1 to 90 days, not 365");
        HttpResponse<String> kept =
                staff("admin", "POST", "/admin/api/tenants/" + id + "/expiry", "{\"neverExpires\": true}");
        assertThat(kept.statusCode()).as(kept.body()).isEqualTo(200);
        assertThat(json(kept).get("expiresAt").isNull()).isTrue();

        // An expiry in the past is refused, for a sandbox and (above all) for a paying tenant.
        for (String target : List.of(id, "acme")) {
            HttpResponse<String> past = staff(
                    "admin",
                    "POST",
                    "/admin/api/tenants/" + target + "/expiry",
                    "{\"expiresAt\": \"2000-01-01T00:00:00Z\"}");
            assertThat(past.statusCode()).as(past.body()).isEqualTo(400);
            assertThat(json(past).get("detail").asString()).contains("2000-01-01T00:00:00Z", "in the future");
        }
        assertThat(json(staff("admin", "GET", "/admin/api/tenants/acme", null))
                        .get("tenant")
                        .get("status")
                        .asString())
                .isEqualTo("ACTIVE");

        // Cut short: the starter's sweep (every 200 ms in this test) archives and purges the sandbox.
        HttpResponse<String> cut = staff(
                "admin",
                "POST",
                "/admin/api/tenants/" + id + "/expiry",
                "{\"expiresAt\": \"" + java.time.Instant.now().plusMillis(500) + "\"}");
        assertThat(cut.statusCode()).as(cut.body()).isEqualTo(200);
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(15).toNanos();
        String status;
        do {
            Thread.sleep(50);
            status = json(staff("admin", "GET", "/admin/api/tenants/" + id, null))
                    .get("tenant")
                    .get("status")
                    .asString();
        } while (!status.equals("PURGED") && System.nanoTime() < deadline);
        assertThat(status).isEqualTo("PURGED");
        assertThat(tenant(id, "GET", "/api/campaigns", null).statusCode()).isEqualTo(403);
        assertThat(json(staff("admin", "GET", "/admin/api/audit?tenant=" + id, null))
                        .get("items")
                        .toString())
                .contains("tenancy-expiry-sweep", "expired at");
    }

    @Test
    void tenantsThatMayNotBeServed_areRefusedWithTheirStatus_neverTheStaffsReason() throws Exception {
        for (String path : List.of("/api/campaigns", "/api/me")) {
            HttpResponse<String> suspended = tenant("hooli", "GET", path, null);
            assertThat(suspended.statusCode()).isEqualTo(403);
            assertThat(json(suspended).get("tenantStatus").asString()).isEqualTo("SUSPENDED");
            assertThat(json(suspended).get("detail").asString()).contains("is suspended");
            assertThat(suspended.body()).doesNotContain("Payment failed");
        }
        assertThat(tenant("wayne", "GET", "/api/campaigns", null).statusCode()).isEqualTo(404);
        HttpResponse<String> badName = tenant("acme", "POST", "/api/campaigns", "{\"name\": \" \"}");
        assertThat(badName.statusCode()).isEqualTo(400);
        assertThat(json(badName).get("detail").asString()).contains("1 to 200 characters");
    }

    @Test
    void aRequestNamingTwoTenants_isRefused_neverServedAsEither() throws Exception {
        HttpResponse<String> twoNames = tenant("globex", "GET", "/t/acme/api/campaigns", null);
        assertThat(twoNames.statusCode()).isEqualTo(403);
        assertThat(json(twoNames).get("type").asString()).endsWith("tenant-mismatch");
        assertThat(tenant("acme", "GET", "/t/acme/api/campaigns", null).statusCode())
                .isEqualTo(200);
    }

    @Test
    void aCampaignById_isTheTenantsOwn_andAnotherTenantsIdIsNotFound() throws Exception {
        HttpResponse<String> created = tenant("acme", "POST", "/api/campaigns", "{\"name\": \"Autumn sale\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        String location = created.headers().firstValue("Location").orElseThrow();
        long id = json(created).get("id").asLong();
        assertThat(json(tenant("acme", "GET", location, null)).get("name").asString())
                .isEqualTo("Autumn sale");

        for (String other : List.of("globex", "initech")) { // schema and database tenants
            for (String method : List.of("GET", "PUT", "DELETE")) {
                HttpResponse<String> probe = tenant(other, method, "/api/campaigns/" + id, "{\"name\": \"pwned\"}");
                assertThat(probe.statusCode()).as(other + " " + method).isEqualTo(404);
                assertThat(json(probe).get("type").asString()).endsWith("/not-found");
            }
        }
        HttpResponse<String> renamed = tenant(
                "acme", "PUT", "/api/campaigns/" + id, "{\"name\": \"Autumn sale 2\", \"status\": \"SCHEDULED\"}");
        assertThat(renamed.statusCode()).as(renamed.body()).isEqualTo(200);
        assertThat(json(renamed).get("status").asString()).isEqualTo("SCHEDULED");
        assertThat(tenant("acme", "DELETE", "/api/campaigns/" + id, null).statusCode())
                .isEqualTo(204);
        assertThat(tenant("acme", "GET", "/api/campaigns/" + id, null).statusCode())
                .isEqualTo(404);
    }

    @Test
    void everyErrorIsAProblem_withAStableType_neverAJavaClassOrAnEcho() throws Exception {
        List<HttpResponse<String>> problems = new ArrayList<>();
        HttpResponse<String> malformed = tenant("acme", "POST", "/api/campaigns", "{\"name\": ");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(json(malformed).get("type").asString()).endsWith("/malformed-request");
        problems.add(malformed);
        HttpResponse<String> notJson = send(HttpRequest.newBuilder(URI.create(base + "/api/campaigns"))
                .header("X-Tenant-ID", "acme")
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("name=x")));
        assertThat(notJson.statusCode()).isEqualTo(415);
        problems.add(notJson);
        HttpResponse<String> wrongMethod = tenant("acme", "PATCH", "/api/campaigns", "{}");
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        problems.add(wrongMethod);
        HttpResponse<String> nowhere = tenant("acme", "GET", "/api/nowhere", null);
        assertThat(nowhere.statusCode()).isEqualTo(404);
        problems.add(nowhere);
        String huge = "x".repeat(2 * 1024 * 1024);
        HttpResponse<String> tooLarge = tenant("acme", "POST", "/api/campaigns", "{\"name\": \"" + huge + "\"}");
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(tooLarge.body().length()).isLessThan(1_000);
        problems.add(tooLarge);
        HttpResponse<String> longName =
                tenant("acme", "POST", "/api/campaigns", "{\"name\": \"" + "y".repeat(5_000) + "\"}");
        assertThat(longName.statusCode()).isEqualTo(400);
        assertThat(longName.body()).doesNotContain("yyyyyyyyyy").contains("5000 characters");
        problems.add(longName);
        for (String action : List.of("suspend", "archive", "reject", "reactivate")) {
            for (String body : List.of("{}", "{\"reason\": null}")) {
                HttpResponse<String> noReason = staff("admin", "POST", "/admin/api/tenants/acme/" + action, body);
                assertThat(noReason.statusCode()).as(action + " " + body).isIn(400, 409);
                problems.add(noReason);
            }
        }
        HttpResponse<String> noName = staff("admin", "POST", "/admin/api/tenants", "{\"id\": \"new-co2\"}");
        assertThat(noName.statusCode()).isEqualTo(400);
        assertThat(json(noName).get("detail").asString()).contains("display name");
        problems.add(noName);
        HttpResponse<String> badIsolation = staff(
                "admin",
                "POST",
                "/admin/api/tenants",
                "{\"id\": \"new-co3\", \"name\": \"N\", \"isolation\": \"cluster\"}");
        assertThat(badIsolation.statusCode()).isEqualTo(400);
        problems.add(badIsolation);
        freeTenantCreatedByStaff("gone-co", "Gone Co");
        assertThat(staff("admin", "POST", "/admin/api/tenants/gone-co/archive", "{\"reason\": \"Left\"}")
                        .statusCode())
                .isEqualTo(200);
        HttpResponse<String> archivedWrite = tenant("gone-co", "POST", "/api/campaigns", "{\"name\": \"One more\"}");
        assertThat(archivedWrite.statusCode()).as(archivedWrite.body()).isEqualTo(409);
        problems.add(archivedWrite);

        for (HttpResponse<String> problem : problems) {
            assertThat(problem.headers().firstValue("Content-Type"))
                    .as(problem.uri() + " " + problem.body())
                    .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(json(problem).get("type").asString()).startsWith("https://tenancy.dev/problems/");
            assertThat(problem.body())
                    .doesNotContainPattern("(java|jakarta|org\\.springframework|dev\\.tenancy)\\.[a-z]+\\.");
        }
    }

    @Test
    void securityEventsAndThrottles_areForStaffWhoMayReadThem() throws Exception {
        assertThat(staff("support", "GET", "/admin/api/throttles", null).statusCode())
                .isEqualTo(403);
        assertThat(staff("support", "GET", "/admin/api/audit?entityType=security_event", null)
                        .statusCode())
                .isEqualTo(403);
        assertThat(json(staff("support", "GET", "/admin/api/audit", null)).toString())
                .doesNotContain("\"entityType\":\"security_event\"");
        assertThat(staff("admin", "GET", "/admin/api/throttles", null).statusCode())
                .isEqualTo(200);
        assertThat(staff("admin", "GET", "/admin/api/audit?entityType=security_event", null)
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void aBetaFeature_isOffUntilStaffTurnItOnForOneTenant() throws Exception {
        HttpResponse<String> off = tenant("globex", "GET", "/api/analytics", null);
        assertThat(off.statusCode()).isEqualTo(403);
        assertThat(json(off).get("type").asString()).endsWith("/feature-disabled");

        HttpResponse<String> turnedOn = staff(
                "admin",
                "PUT",
                "/admin/api/tenants/globex/flags/advanced-analytics",
                "{\"enabled\": true, \"reason\": \"Beta customer, ticket 4711\"}");
        assertThat(turnedOn.statusCode()).isEqualTo(200);

        HttpResponse<String> on = tenant("globex", "GET", "/api/analytics", null);
        assertThat(on.statusCode()).isEqualTo(200);
        assertThat(json(on).get("campaigns").asLong()).isEqualTo(2);
        assertThat(tenant("initech", "GET", "/api/analytics", null).statusCode())
                .isEqualTo(403);
        JsonNode features =
                json(staff("admin", "GET", "/admin/api/tenants/globex", null)).get("features");
        assertThat(features.toString()).contains("\"key\":\"advanced-analytics\"", "\"reason\":\"OVERRIDE\"");
    }

    @Test
    void staffChangeTenantsAsTheirRoleAllows_andEveryChangeIsAudited() throws Exception {
        assertThat(json(staff("sales", "GET", "/admin/api/tenants?search=initech", null))
                        .get("items")
                        .get(0)
                        .get("status")
                        .asString())
                .isEqualTo("ACTIVE");
        HttpResponse<String> salesSuspends =
                staff("sales", "POST", "/admin/api/tenants/initech/suspend", "{\"reason\": \"why not\"}");
        assertThat(salesSuspends.statusCode()).isEqualTo(403);
        assertThat(json(salesSuspends).get("detail").asString()).contains("'sales'", "platform.tenants.suspend");

        assertThat(staff("admin", "POST", "/admin/api/tenants/initech/suspend", "{\"reason\": \"Chargeback\"}")
                        .statusCode())
                .isEqualTo(200);
        assertThat(tenant("initech", "GET", "/api/campaigns", null).statusCode())
                .isEqualTo(403);
        assertThat(staff("admin", "POST", "/admin/api/tenants/initech/reactivate", "{\"reason\": \"Resolved\"}")
                        .statusCode())
                .isEqualTo(200);
        assertThat(tenant("initech", "GET", "/api/campaigns", null).statusCode())
                .isEqualTo(200);

        String audit = json(staff("admin", "GET", "/admin/api/audit?tenant=initech", null))
                .get("items")
                .toString();
        assertThat(audit).contains("Chargeback", "Resolved", "\"actorId\":\"admin\"");
    }

    @Test
    void aPendingTenant_isProvisionedWhenApproved() throws Exception {
        assertThat(tenant("umbrella", "GET", "/api/campaigns", null).statusCode())
                .isEqualTo(403);
        HttpResponse<String> approved = staff("admin", "POST", "/admin/api/tenants/umbrella/approve", null);
        assertThat(approved.statusCode()).isEqualTo(200);
        assertThat(json(approved).get("status").asString()).isEqualTo("ACTIVE");
        assertThat(names(tenant("umbrella", "GET", "/api/campaigns", null))).hasSize(2);
    }

    @Test
    void staffRegisterTenants_andBadInputIsRefusedNamingTheFix() throws Exception {
        HttpResponse<String> registered = staff(
                "admin",
                "POST",
                "/admin/api/tenants",
                "{\"id\": \"stark\", \"name\": \"Stark\", \"tier\": \"pro\", \"isolation\": \"schema\","
                        + " \"approve\": true}");
        assertThat(registered.statusCode()).isEqualTo(200);
        assertThat(names(tenant("stark", "GET", "/api/campaigns", null))).hasSize(2);

        HttpResponse<String> again =
                staff("admin", "POST", "/admin/api/tenants", "{\"id\": \"stark\", \"name\": \"Stark again\"}");
        assertThat(again.statusCode()).isEqualTo(409);
        HttpResponse<String> invalid =
                staff("admin", "POST", "/admin/api/tenants", "{\"id\": \"Bad Id!\", \"name\": \"x\"}");
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(json(invalid).get("detail").asString()).contains("Bad Id!");
    }

    @Test
    void aPlansMonthlyCampaigns_areEnforced_untilSalesRaiseTheLimit() throws Exception {
        freeTenantCreatedByStaff("oscorp", "Oscorp");
        for (int i = 1; i <= 3; i++) {
            assertThat(tenant("oscorp", "POST", "/api/campaigns", "{\"name\": \"Launch " + i + "\"}")
                            .statusCode())
                    .isEqualTo(201);
        }
        HttpResponse<String> fourth = tenant("oscorp", "POST", "/api/campaigns", "{\"name\": \"Launch 4\"}");
        assertThat(fourth.statusCode()).isEqualTo(403);
        assertThat(json(fourth).get("type").asString()).endsWith("/quota-exceeded");
        assertThat(json(fourth).get("detail").asString()).contains("3 of its 3 campaigns");
        JsonNode analytics = json(staff("sales", "GET", "/admin/api/analytics", null));
        assertThat(analytics.get("upsellCandidates").toString())
                .as("a tenant at its limit is a candidate for a bigger plan")
                .contains("\"tenant\":\"oscorp\"", "\"metric\":\"campaigns\"");
        assertThat(analytics.get("activeTenants").asLong()).isGreaterThanOrEqualTo(4);
        assertThat(analytics.get("newTenantsThisMonth").asLong()).isGreaterThanOrEqualTo(1);

        HttpResponse<String> raised = staff(
                "sales",
                "POST",
                "/admin/api/tenants/oscorp/limits",
                "{\"metric\": \"campaigns\", \"limit\": 10, \"reason\": \"Launch week, deal D-42\"}");
        assertThat(raised.statusCode()).as(raised.body()).isEqualTo(200);
        assertThat(tenant("oscorp", "POST", "/api/campaigns", "{\"name\": \"Launch 4\"}")
                        .statusCode())
                .isEqualTo(201);
        JsonNode detail = json(staff("sales", "GET", "/admin/api/tenants/oscorp", null));
        assertThat(detail.get("subscription").get("planKey").asString()).isEqualTo("free");
        assertThat(detail.get("campaignsThisMonth").get("limit").asLong()).isEqualTo(10);
        assertThat(staff("sales", "GET", "/admin/api/analytics", null).statusCode())
                .isEqualTo(200);

        HttpResponse<String> free = staff(
                "admin",
                "POST",
                "/admin/api/tenants/oscorp/free-access",
                "{\"reason\": \"Partner pilot, agreement P-7\"}");
        assertThat(free.statusCode()).as(free.body()).isEqualTo(200);
        JsonNode review = json(staff("sales", "GET", "/admin/api/free-access", null));
        assertThat(review.toString())
                .contains("\"tenant\":\"oscorp\"", "Partner pilot, agreement P-7", "\"grantedBy\"");
        assertThat(staff("admin", "POST", "/admin/api/tenants/oscorp/free-access", "{}")
                        .statusCode())
                .as("a grant needs a reason")
                .isEqualTo(400);
        assertThat(staff("support", "GET", "/admin/api/analytics", null).statusCode())
                .isEqualTo(403);
    }

    @Test
    void aDowngrade_lowersTheLimitAtOnce_andUsageAlreadyPastItIsReported() throws Exception {
        HttpResponse<String> created = staff(
                "admin",
                "POST",
                "/admin/api/tenants",
                "{\"id\": \"cyberdyne\", \"name\": \"Cyberdyne\", \"tier\": \"pro\", \"approve\": true}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        for (int i = 1; i <= 5; i++) {
            assertThat(tenant("cyberdyne", "POST", "/api/campaigns", "{\"name\": \"Skynet " + i + "\"}")
                            .statusCode())
                    .isEqualTo(201);
        }

        HttpResponse<String> downgraded = staff(
                "sales",
                "POST",
                "/admin/api/tenants/cyberdyne/plan",
                "{\"plan\": \"free\", \"reason\": \"Asked to downgrade, ticket #77\"}");
        assertThat(downgraded.statusCode()).as(downgraded.body()).isEqualTo(200);

        HttpResponse<String> sixth = tenant("cyberdyne", "POST", "/api/campaigns", "{\"name\": \"Skynet 6\"}");
        assertThat(sixth.statusCode())
                .as("the old plan's lease is not spent after a downgrade")
                .isEqualTo(403);
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(5).toNanos();
        JsonNode usage;
        do { // the meter reads the new terms on its own thread, within moments
            usage = json(tenant("cyberdyne", "GET", "/api/usage", null)).get("campaigns");
        } while (usage.get("limit").asLong() != 3 && System.nanoTime() < deadline);
        assertThat(usage.get("limit").asLong()).isEqualTo(3);
        assertThat(usage.get("used").asLong()).isEqualTo(5);
        assertThat(usage.get("exceeded").asBoolean()).isTrue();
        assertThat(usage.get("allowed").asBoolean()).isFalse();
        assertThat(json(tenant("cyberdyne", "GET", "/api/quotas", null))
                        .get("campaigns")
                        .get("max")
                        .asLong())
                .isEqualTo(3);
    }

    @Test
    void staffSeeThePlatformsJobs_previewTheSubscriptionCycle_andRunAJob() throws Exception {
        JsonNode jobs = json(staff("admin", "GET", "/admin/api/jobs", null));
        assertThat(jobs.toString())
                .contains(
                        "\"name\":\"subscription-cycle\"",
                        "\"cron\":\"0 0 2 1 * *\"",
                        "\"name\":\"trial-conversion\"",
                        "\"name\":\"retention-purge\"",
                        "\"name\":\"mrr-snapshot\"");

        HttpResponse<String> preview =
                staff("admin", "POST", "/admin/api/jobs/subscription-cycle/run", "{\"dryRun\": true}");
        assertThat(preview.statusCode()).as(preview.body()).isEqualTo(200);
        assertThat(json(preview).get("counters").get("dryRun").asBoolean()).isTrue();
        assertThat(json(preview).get("counters").has("createdCount")).isTrue();

        HttpResponse<String> snapshot = staff("admin", "POST", "/admin/api/jobs/mrr-snapshot/run", "{}");
        assertThat(snapshot.statusCode()).as(snapshot.body()).isEqualTo(200);
        assertThat(json(snapshot).get("counters").get("tenants").asInt()).isPositive();
        assertThat(json(staff("admin", "GET", "/admin/api/audit?action=job.run", null))
                        .toString())
                .contains("mrr-snapshot");

        assertThat(staff("support", "POST", "/admin/api/jobs/mrr-snapshot/run", "{}")
                        .statusCode())
                .isEqualTo(403);
        HttpResponse<String> unknown = staff("admin", "POST", "/admin/api/jobs/invoicing/run", "{}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(json(unknown).get("detail").asString()).contains("No job 'invoicing'", "subscription-cycle");
        HttpResponse<String> noPreview =
                staff("admin", "POST", "/admin/api/jobs/trial-conversion/run", "{\"dryRun\": true}");
        assertThat(noPreview.statusCode()).isEqualTo(400);
    }

    @Test
    void thePlansQuotasOfSeatsDomainsStorageAndApiCalls_areCountedEnforcedAndShown() throws Exception {
        freeTenantCreatedByStaff("dunder", "Dunder Mifflin"); // free: 2 seats, no custom domain
        for (String who : List.of("jim", "pam")) {
            assertThat(tenant(
                                    "dunder",
                                    "POST",
                                    "/api/team/invitations",
                                    "{\"email\": \"" + who + "@dunder.example\", \"role\": \"editor\"}")
                            .statusCode())
                    .isEqualTo(201);
        }
        HttpResponse<String> third = tenant(
                "dunder",
                "POST",
                "/api/team/invitations",
                "{\"email\": \"dwight@dunder.example\", \"role\": \"editor\"}");
        assertThat(third.statusCode()).as(third.body()).isEqualTo(403);
        assertThat(json(third).get("detail").asString()).contains("2 of its 2 users");
        HttpResponse<String> domain =
                tenant("dunder", "POST", "/api/domains", "{\"domain\": \"paper.dunder.example\"}");
        assertThat(domain.statusCode()).as(domain.body()).isEqualTo(403);
        assertThat(json(domain).get("detail").asString()).contains("custom_domains");

        JsonNode usage = json(tenant("dunder", "GET", "/api/usage", null));
        assertThat(usage.get("users").get("used").asLong()).isEqualTo(2);
        assertThat(usage.get("users").get("limit").asLong()).isEqualTo(2);
        assertThat(usage.get("custom_domains").get("limit").asLong()).isZero();
        assertThat(usage.get("storage_mb").get("limit").asLong()).isEqualTo(100);
        assertThat(usage.get("api_calls").get("used").asLong())
                .as("every request served as the tenant is an API call")
                .isGreaterThanOrEqualTo(5);
        assertThat(usage.get("api_calls").get("limit").asLong()).isEqualTo(1_000);

        HttpResponse<String> lowered = staff(
                "sales",
                "POST",
                "/admin/api/tenants/dunder/limits",
                "{\"metric\": \"api_calls\", \"limit\": 10, \"reason\": \"Abuse investigation, ticket #9\"}");
        assertThat(lowered.statusCode()).as(lowered.body()).isEqualTo(200);
        HttpResponse<String> refused = null;
        for (int i = 0; i < 20 && refused == null; i++) {
            HttpResponse<String> call = tenant("dunder", "GET", "/api/campaigns", null);
            if (call.statusCode() == 429 && call.body().contains("quota-exceeded")) {
                refused = call;
            }
        }
        assertThat(refused).as("refused once the month's 10 API calls are used").isNotNull();
        assertThat(json(refused).get("detail").asString()).contains("API calls this month");
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
    }

    @Test
    void aTenantReadsItsPlanQuotasUsageAndFeatures_upgrades_andCancels() throws Exception {
        HttpResponse<String> plans = send(request("GET", "/api/plans", null));
        assertThat(plans.statusCode()).as("the price list is public").isEqualTo(200);
        assertThat(plans.body()).contains("\"key\":\"free\"", "\"key\":\"professional\"");
        HttpResponse<String> noPlan = send(request("GET", "/api/plans/platinum", null));
        assertThat(noPlan.statusCode()).isEqualTo(400);
        assertThat(json(noPlan).get("detail").asString()).contains("No plan 'platinum'", "GET /api/plans");
        freeTenantCreatedByStaff("wonka", "Wonka");

        JsonNode subscription = json(tenant("wonka", "GET", "/api/subscription", null));
        assertThat(subscription.get("subscription").get("planKey").asString()).isEqualTo("free");
        assertThat(subscription.get("limits").get("campaigns").get("max").asLong())
                .isEqualTo(3);
        assertThat(json(tenant("wonka", "GET", "/api/quotas", null))
                        .get("campaigns")
                        .get("max")
                        .asLong())
                .isEqualTo(3);
        assertThat(tenant("wonka", "POST", "/api/campaigns", "{\"name\": \"Golden ticket\"}")
                        .statusCode())
                .isEqualTo(201);
        JsonNode usage = json(tenant("wonka", "GET", "/api/usage", null)).get("campaigns");
        assertThat(usage.get("used").asLong()).isEqualTo(1);
        assertThat(usage.get("remaining").asLong()).isEqualTo(2);
        assertThat(json(tenant("wonka", "GET", "/api/usage/history", null))
                        .get(0)
                        .get("sum")
                        .asLong())
                .isEqualTo(1);
        assertThat(json(tenant("wonka", "GET", "/api/features/sso", null))
                        .get("enabled")
                        .asBoolean())
                .as("an enterprise feature, off on the free plan")
                .isFalse();
        assertThat(json(tenant("wonka", "GET", "/api/features/no-such-flag", null))
                        .get("reason")
                        .asString())
                .isEqualTo("ERROR");

        HttpResponse<String> upgraded = tenant("wonka", "POST", "/api/subscription/plan", "{\"plan\": \"enterprise\"}");
        assertThat(upgraded.statusCode()).as(upgraded.body()).isEqualTo(200);
        assertThat(json(upgraded).get("planKey").asString()).isEqualTo("enterprise");
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(5).toNanos();
        JsonNode sso;
        do { // the flags' snapshot follows the catalog's tier as soon as its change is heard
            Thread.sleep(50); // within the free plan's 20 requests a second
            sso = json(tenant("wonka", "GET", "/api/features/sso", null));
        } while (!sso.get("enabled").asBoolean() && System.nanoTime() < deadline);
        assertThat(sso.get("enabled").asBoolean()).isTrue();
        assertThat(sso.get("reason").asString()).isEqualTo("PLAN");
        assertThat(json(tenant("wonka", "GET", "/api/features", null)).toString())
                .contains("\"key\":\"sso\",\"enabled\":true");
        assertThat(tenant("wonka", "POST", "/api/subscription/plan", "{}").statusCode())
                .isEqualTo(400);

        HttpResponse<String> cancelled =
                tenant("wonka", "POST", "/api/subscription/cancel", "{\"reason\": \"Closing the factory\"}");
        assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
        assertThat(json(cancelled).get("status").asString()).isEqualTo("CANCELLED");
        HttpResponse<String> afterCancel =
                tenant("wonka", "POST", "/api/subscription/plan", "{\"plan\": \"professional\"}");
        assertThat(afterCancel.statusCode())
                .as("a cancelled subscription's plan does not change")
                .isEqualTo(409);
        assertThat(json(afterCancel).get("detail").asString()).contains("is cancelled: reactivate it");
        assertThat(json(tenant("wonka", "GET", "/api/subscription/invoices", null))
                        .isArray())
                .isTrue();
        assertThat(json(staff("admin", "GET", "/admin/api/audit?tenant=wonka", null))
                        .toString())
                .contains("Closing the factory", "admin@wonka.example");
    }

    @Test
    void aBurstOverTheTenantsRateLimit_isRefusedWith429_andStaffSeeTheThrottles() throws Exception {
        freeTenantCreatedByStaff("bursty", "Bursty");
        // 60 requests at once: the free plan allows 20 a second, however slow the machine
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> burst = new java.util.ArrayList<>();
        for (int i = 0; i < 60; i++) {
            burst.add(http.sendAsync(
                    request("GET", "/api/campaigns", null)
                            .header("X-Tenant-ID", "bursty")
                            .build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        List<HttpResponse<String>> refused = new java.util.ArrayList<>();
        for (java.util.concurrent.CompletableFuture<HttpResponse<String>> response : burst) {
            if (response.get().statusCode() == 429 && response.get().body().contains("rate-limited")) {
                refused.add(response.get());
            }
        }
        assertThat(refused).isNotEmpty();
        assertThat(refused.getFirst().headers().firstValue("Retry-After")).contains("1");
        assertThat(json(refused.getFirst()).get("detail").asString()).contains("'bursty'", "rate limit");
        assertThat(tenant("acme", "GET", "/api/campaigns", null).statusCode())
                .as("another tenant's buckets are its own")
                .isEqualTo(200);

        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
        JsonNode throttles;
        do { // refusals are audited once per audit window (200 ms here)
            Thread.sleep(50);
            throttles = json(staff("admin", "GET", "/admin/api/throttles", null));
        } while (throttles.get("lastHour").asLong() == 0 && System.nanoTime() < deadline);
        assertThat(throttles.get("lastHour").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(json(staff("admin", "GET", "/admin/api/audit?tenant=bursty", null))
                        .toString())
                .contains("\"action\":\"throttle\"", "api_rate_limit");
    }

    @Test
    void supportStartsAReadOnlySessionWithConsentOnRecord() throws Exception {
        HttpResponse<String> started = staff(
                "support",
                "POST",
                "/admin/api/impersonations",
                "{\"tenant\": \"acme\", \"user\": \"jane@acme.example\", \"userRole\": \"member\","
                        + " \"reason\": \"Campaign stuck in draft\", \"ticket\": \"T-1234\"}");
        assertThat(started.statusCode()).isEqualTo(200);
        JsonNode session = json(started);
        assertThat(session.get("mode").asString()).isEqualTo("READ_ONLY");

        HttpResponse<String> ended = staff(
                "support",
                "DELETE",
                "/admin/api/impersonations/" + session.get("id").asString(),
                null);
        assertThat(ended.statusCode()).isEqualTo(200);
        assertThat(json(ended).get("endedAt").isNull()).isFalse();

        // The tenant's company admin sees the session in its own audit log, with the reason and the ticket.
        String seenByTheTenant = json(tenant("acme", "GET", "/api/audit?entityType=impersonation", null))
                .toString();
        assertThat(seenByTheTenant).contains("Campaign stuck in draft", "T-1234", "\"actorId\":\"support\"");
        assertThat(json(tenant("globex", "GET", "/api/audit?entityType=impersonation", null))
                        .toString())
                .doesNotContain("T-1234");
        HttpResponse<String> filtered = staff(
                "admin",
                "GET",
                "/admin/api/audit?entityType=impersonation&actorRole=support&text=T-1234&from="
                        + java.time.Instant.now().minusSeconds(3600),
                null);
        assertThat(filtered.statusCode()).as(filtered.body()).isEqualTo(200);
        assertThat(json(filtered).get("items"))
                .isNotEmpty()
                .allSatisfy(e -> assertThat(e.get("entityType").asString()).isEqualTo("impersonation"));
    }

    @Test
    void theConsolePage_andHealth_areServedWithNoTenant() throws Exception {
        HttpResponse<String> page = send(HttpRequest.newBuilder(URI.create(base + "/admin/"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("support:support".getBytes())));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("Platform admin console");
        HttpResponse<String> signedOut =
                send(HttpRequest.newBuilder(URI.create(base + "/admin/")).header("Accept", "text/html"));
        assertThat(signedOut.statusCode())
                .as("a person is sent to the login page")
                .isEqualTo(302);
        assertThat(signedOut.headers().firstValue("Location").orElseThrow()).endsWith("/login");
        HttpResponse<String> health = send(HttpRequest.newBuilder(URI.create(base + "/actuator/health")));
        assertThat(json(health).get("components").get("tenancy").get("status").asString())
                .isEqualTo("UP");
        assertThat(send(HttpRequest.newBuilder(URI.create(base + "/admin/api/tenants")))
                        .statusCode())
                .isEqualTo(401);
    }

    /** A tenant on the free plan, registered, provisioned and subscribed by staff through the console's API. */
    private void freeTenantCreatedByStaff(String id, String name) throws Exception {
        HttpResponse<String> created = staff(
                "admin",
                "POST",
                "/admin/api/tenants",
                "{\"id\": \"" + id + "\", \"name\": \"" + name + "\", \"tier\": \"free\", \"approve\": true}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
    }

    private HttpResponse<String> tenant(String tenant, String method, String path, String body) throws Exception {
        return send(request(method, path, body).header("X-Tenant-ID", tenant));
    }

    /** A staff member's call, with basic authentication and the CSRF token the console sends. */
    private HttpResponse<String> staff(String user, String method, String path, String body) throws Exception {
        String credentials = Base64.getEncoder().encodeToString((user + ":" + user).getBytes(StandardCharsets.UTF_8));
        if (!method.equals("GET") && csrfToken() == null) {
            send(HttpRequest.newBuilder(URI.create(base + "/admin/api/me"))
                    .header("Authorization", "Basic " + credentials));
        }
        HttpRequest.Builder request = request(method, path, body).header("Authorization", "Basic " + credentials);
        if (!method.equals("GET")) {
            request.header("X-XSRF-TOKEN", csrfToken());
        }
        return send(request);
    }

    private String csrfToken() {
        return cookies.getCookieStore().getCookies().stream()
                .filter(cookie -> cookie.getName().equals("XSRF-TOKEN"))
                .map(HttpCookie::getValue)
                .findFirst()
                .orElse(null);
    }

    private HttpRequest.Builder request(String method, String path, String body) {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json");
        return request.method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    }

    /** A GET with its own Host header (which java.net.http will not send), as raw HTTP/1.1: the whole response. */
    private String withHost(String path, String host) throws Exception {
        URI uri = URI.create(base);
        try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
            socket.getOutputStream()
                    .write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** A staff member's GET of a file. */
    private HttpResponse<byte[]> download(String user, String path) throws Exception {
        String credentials = Base64.getEncoder().encodeToString((user + ":" + user).getBytes(StandardCharsets.UTF_8));
        return http.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .header("Authorization", "Basic " + credentials)
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** The entries of a ZIP archive, by name, as UTF-8 text. */
    private static Map<String, String> zipEntries(byte[] zip) throws Exception {
        Map<String, String> entries = new java.util.LinkedHashMap<>();
        try (java.util.zip.ZipInputStream in =
                new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(zip))) {
            for (java.util.zip.ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                entries.put(e.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return entries;
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) {
        return JSON.readTree(response.body());
    }

    private static List<String> names(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<String> names = new ArrayList<>();
        json(response).forEach(campaign -> names.add(campaign.get("name").asString()));
        return names;
    }
}
