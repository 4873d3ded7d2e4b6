package dev.tenancy.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenancy.Actor;
import dev.tenancy.IsolationModel;
import dev.tenancy.TenantId;
import dev.tenancy.TenantStatus;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.context.TenantContext;
import dev.tenancy.testkit.TestDatabase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.MethodParameter;
import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyAdvice;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Spring Boot web application with nothing but the starter and its properties: each request is
 * served as its tenant, through Spring's own {@code JdbcTemplate}, transactions and task executor.
 * Runs on H2 and PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TenancyWebApplicationContract {
    private static final Actor ADMIN = Actor.system("test");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newHttpClient();
    private TestDatabase database;
    private ConfigurableApplicationContext app;
    private String base;

    abstract TestDatabase database();

    @BeforeAll
    void start() {
        database = database();
        for (String tenant : List.of("acme", "globex", "initech", "hooli", "wayne", "stark")) {
            String schema = TenantId.of(tenant).schemaName();
            database.execute("CREATE SCHEMA \"" + schema + "\"");
            database.execute("CREATE TABLE \"" + schema + "\".notes (body VARCHAR(100) NOT NULL)");
            database.execute("INSERT INTO \"" + schema + "\".notes VALUES ('" + tenant + "''s first note')");
        }
        app = new SpringApplicationBuilder(App.class)
                .properties(
                        "server.port=0",
                        "spring.datasource.url=" + database.jdbcUrl(),
                        "spring.datasource.username=" + database.user(),
                        "spring.datasource.password=" + database.password(),
                        // The test server's superuser serves the tenants too: accepted here, refused by default.
                        "tenancy.data-source.allow-insecure-role=true",
                        "tenancy.resolution.resolvers=header,claim",
                        "tenancy.resolution.authenticated-claim=tenant_id",
                        "tenancy.resolution.archived-read-only=true",
                        "tenancy.web.excluded-paths=/actuator/**,/public/**",
                        "management.endpoints.web.exposure.include=health",
                        "tenancy.billing.rate-limits.enabled=true",
                        "tenancy.billing.rate-limits.per-second=1000",
                        "tenancy.billing.rate-limits.per-minute=100000",
                        "tenancy.billing.rate-limits.tiers.trial.per-second=2",
                        "tenancy.billing.rate-limits.tiers.trial.per-minute=100",
                        "tenancy.billing.rate-limits.audit-window=100ms",
                        "management.endpoint.health.show-details=always")
                .run();
        base = "http://localhost:" + app.getEnvironment().getProperty("local.server.port");
        TenantCatalog catalog = app.getBean(TenantCatalog.class);
        for (String tenant : List.of("acme", "globex", "initech", "hooli", "wayne", "stark")) {
            catalog.register(
                    TenantRegistration.builder(TenantId.of(tenant), tenant)
                            .isolation(IsolationModel.SCHEMA)
                            .active()
                            .build(),
                    ADMIN);
        }
        catalog.update(
                TenantId.of("stark"),
                dev.tenancy.catalog.TenantUpdate.builder().tier("trial").build(),
                ADMIN); // 2 requests a second
        catalog.transition(TenantId.of("globex"), TenantStatus.SUSPENDED, ADMIN, "unpaid invoice");
        catalog.transition(TenantId.of("initech"), TenantStatus.ARCHIVED, ADMIN, "off-boarded");
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
    void aRequestIsServedAsTheTenantItNames_throughSpringsJdbcTemplate() throws Exception {
        JsonNode acme = json(get("/notes", "acme"));
        assertThat(acme.get("tenant").asString()).isEqualTo("acme");
        assertThat(acme.get("notes").toString()).isEqualTo("[\"acme's first note\"]");

        JsonNode hooli = json(get("/notes", "hooli"));
        assertThat(hooli.get("notes").toString()).isEqualTo("[\"hooli's first note\"]");
    }

    @Test
    void aWriteInASpringTransaction_landsInTheTenantsOwnSchema() throws Exception {
        HttpResponse<String> written = send(HttpRequest.newBuilder(URI.create(base + "/notes"))
                .header("X-Tenant-ID", "wayne")
                .POST(HttpRequest.BodyPublishers.ofString("wayne's second note")));
        assertThat(written.statusCode()).isEqualTo(200);

        assertThat(json(get("/notes", "wayne")).get("notes").toString())
                .isEqualTo("[\"wayne's first note\",\"wayne's second note\"]");
        assertThat(json(get("/notes", "acme")).get("notes").toString()).isEqualTo("[\"acme's first note\"]");
    }

    @Test
    void taskSubmittedToSpringBootsExecutor_runsAsTheRequestsTenant() throws Exception {
        HttpResponse<String> response = get("/async", "acme");
        assertThat(response.body()).isEqualTo("acme on " + "application task executor");
    }

    @Test
    void anAsynchronousMvcRequest_runsItsCallableAndWritesItsResult_asTheRequestsTenant() throws Exception {
        HttpResponse<String> response = get("/mvc-async", "acme");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("callable ran as acme");
        assertThat(response.headers().firstValue("X-Rendered-As")).hasValue("acme");
        assertThat(get("/notes", "hooli").headers().firstValue("X-Rendered-As")).hasValue("hooli");
    }

    @Test
    void aTaskScheduledOnSpringBootsScheduler_runsAsTheTenantThatScheduledIt() throws Exception {
        assertThat(get("/scheduled", "hooli").body()).isEqualTo("scheduled task ran as hooli");
    }

    @Test
    void anArchivedTenant_isServedReadOnly() throws Exception {
        assertThat(json(get("/notes", "initech")).get("notes").toString()).isEqualTo("[\"initech's first note\"]");

        HttpResponse<String> write = send(HttpRequest.newBuilder(URI.create(base + "/notes"))
                .header("X-Tenant-ID", "initech")
                .POST(HttpRequest.BodyPublishers.ofString("not allowed")));
        assertThat(write.statusCode()).isEqualTo(500);
        assertThat(json(get("/notes", "initech")).get("notes").size()).isEqualTo(1);
    }

    @Test
    void requestsThatCannotBeServed_getAProblemNamingWhy_andAreCounted() throws Exception {
        Counter unknownCounted = app.getBean(MeterRegistry.class)
                .get("tenancy.requests.refused")
                .tag("reason", "unknown-tenant")
                .counter();
        double before = unknownCounted.count();

        HttpResponse<String> unknown = get("/notes", "umbrella");
        assertThat(unknownCounted.count()).isEqualTo(before + 1);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = json(unknown);
        assertThat(problem.get("type").asString()).isEqualTo("https://tenancy.dev/problems/unknown-tenant");
        assertThat(problem.get("tenant").asString()).isEqualTo("umbrella");

        HttpResponse<String> suspended = get("/notes", "globex");
        assertThat(suspended.statusCode()).isEqualTo(403);
        assertThat(json(suspended).get("tenantStatus").asString()).isEqualTo("SUSPENDED");
        assertThat(suspended.body())
                .as("the staff's reason stays with the staff")
                .doesNotContain("unpaid invoice");

        HttpResponse<String> none = get("/notes", null);
        assertThat(none.statusCode()).isEqualTo(400);
        assertThat(json(none).get("type").asString()).endsWith("/tenant-not-resolved");
        assertThat(json(none).get("detail").asString()).contains("header");

        HttpResponse<String> malformed = get("/notes", "Robert'); DROP TABLE notes;--");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(json(malformed).get("type").asString()).endsWith("/invalid-tenant");
    }

    @Test
    void aTenantOverItsTiersRateLimit_gets429WithRetryAfter_isCounted_andAudited_andAnUpgradeAppliesAtOnce()
            throws Exception {
        HttpResponse<String> refused = null;
        for (int i = 0; i < 20 && refused == null; i++) { // its tier allows 2 a second
            HttpResponse<String> response = get("/notes", "stark");
            if (response.statusCode() == 429) {
                refused = response;
            } else {
                assertThat(response.statusCode()).isEqualTo(200);
            }
        }
        assertThat(refused).isNotNull();
        assertThat(refused.headers().firstValue("Retry-After")).contains("1");
        JsonNode problem = json(refused);
        assertThat(problem.get("type").asString()).isEqualTo("https://tenancy.dev/problems/rate-limited");
        assertThat(problem.get("tenant").asString()).isEqualTo("stark");
        assertThat(problem.get("detail").asString()).contains("'stark'", "rate limit");
        assertThat(get("/notes", "acme").statusCode())
                .as("other tiers have their own limits")
                .isEqualTo(200);
        assertThat(app.getBean(MeterRegistry.class)
                        .get("tenancy.requests.refused")
                        .tag("reason", "rate-limited")
                        .counter()
                        .count())
                .isGreaterThanOrEqualTo(1);

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        dev.tenancy.billing.ThrottleAwareness seen;
        do { // refusals are audited once per audit window (100 ms here)
            Thread.sleep(20);
            seen = dev.tenancy.billing.ThrottleAwareness.of(
                    app.getBean(dev.tenancy.audit.AuditLog.class), Instant.now());
        } while (seen.lastHour() == 0 && System.nanoTime() < deadline);
        assertThat(seen.lastHour()).isGreaterThanOrEqualTo(1);

        // An upgrade: the new tier's limits apply at once (its buckets are reset when the catalog says so).
        app.getBean(TenantCatalog.class)
                .update(
                        TenantId.of("stark"),
                        dev.tenancy.catalog.TenantUpdate.builder().tier("pro").build(),
                        ADMIN);
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<Integer> burst;
        do { // on PostgreSQL, the change is heard through LISTEN/NOTIFY
            Thread.sleep(20);
            burst = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) {
                burst.add(get("/notes", "stark").statusCode());
            }
        } while (burst.contains(429) && System.nanoTime() < deadline);
        assertThat(burst).as("six at once, within the pro tier's limit").containsOnly(200);
    }

    @Test
    void aVerifiedTokenClaim_namesTheTenant_andNoHeaderMayContradictIt() throws Exception {
        HttpResponse<String> byClaim = send(HttpRequest.newBuilder(URI.create(base + "/notes"))
                .header("Authorization", "Bearer token-for-acme")
                .GET());
        assertThat(byClaim.statusCode()).isEqualTo(200);
        assertThat(json(byClaim).get("tenant").asString()).isEqualTo("acme");

        HttpResponse<String> agreeing = send(HttpRequest.newBuilder(URI.create(base + "/notes"))
                .header("Authorization", "Bearer token-for-acme")
                .header("X-Tenant-ID", "acme")
                .GET());
        assertThat(agreeing.statusCode()).isEqualTo(200);

        HttpResponse<String> contradicting = send(HttpRequest.newBuilder(URI.create(base + "/notes"))
                .header("Authorization", "Bearer token-for-acme")
                .header("X-Tenant-ID", "hooli")
                .GET());
        assertThat(contradicting.statusCode()).isEqualTo(403);
        assertThat(json(contradicting).get("type").asString()).endsWith("/tenant-mismatch");
        assertThat(json(contradicting).get("tenant").asString()).isEqualTo("hooli");
        assertThat(app.getBean(dev.tenancy.audit.AuditLog.class)
                        .query(dev.tenancy.audit.AuditQuery.builder()
                                .entityType(dev.tenancy.audit.SecurityEvents.ENTITY_TYPE)
                                .tenant(TenantId.of("hooli"))
                                .build())
                        .items())
                .as("the attempt is a security event in hooli's audit log")
                .singleElement()
                .satisfies(e -> assertThat(e.metadata())
                        .containsEntry("principalTenant", "acme")
                        .containsEntry("path", "/notes"));
    }

    @Test
    void excludedPaths_areServedWithNoTenantBound() throws Exception {
        HttpResponse<String> response = get("/public/ping", null);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("bound: false");
    }

    @Test
    void health_reportsTheCatalogAndThePlatformDatabase() throws Exception {
        HttpResponse<String> response = get("/actuator/health", null);
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode components = json(response).get("components");
        assertThat(components.get("db").get("status").asString()).isEqualTo("UP");
        assertThat(components.get("tenancy").get("status").asString()).isEqualTo("UP");
        assertThat(components
                        .get("tenancy")
                        .get("details")
                        .get("schemaTenantsByServer")
                        .toString())
                .isEqualTo("{\"default\":6}");
        assertThat(app.getBean(MeterRegistry.class)
                        .get("tenancy.tenant.database.pools")
                        .gauge()
                        .value())
                .isZero();
    }

    private HttpResponse<String> get(String path, String tenant) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
        if (tenant != null) {
            request.header("X-Tenant-ID", tenant);
        }
        return send(request.GET());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) {
        return JSON.readTree(response.body());
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @EnableScheduling
    @Import({NotesController.class, RenderedAs.class})
    static class App {
        /** Bearer tokens are optional; one is "token-for-{tenant}", whose verified claim tenant_id is that tenant. */
        @Bean
        SecurityFilterChain security(HttpSecurity http) {
            return http.authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
                    .csrf(csrf -> csrf.disable())
                    .oauth2ResourceServer(server -> server.jwt(Customizer.withDefaults()))
                    .build();
        }

        @Bean
        JwtDecoder jwtDecoder() {
            return token -> {
                if (!token.startsWith("token-for-")) {
                    throw new BadJwtException("not a test token");
                }
                return Jwt.withTokenValue(token)
                        .header("alg", "none")
                        .subject("someone")
                        .claim("tenant_id", token.substring("token-for-".length()))
                        .build();
            };
        }
    }

    @RestController
    static class NotesController {
        private final JdbcTemplate jdbc;
        private final TransactionTemplate transactions;
        private final AsyncTaskExecutor executor;
        private final TaskScheduler scheduler;

        NotesController(
                JdbcTemplate jdbc,
                TransactionTemplate transactions,
                @Qualifier("applicationTaskExecutor") AsyncTaskExecutor executor,
                TaskScheduler scheduler) {
            this.jdbc = jdbc;
            this.transactions = transactions;
            this.executor = executor;
            this.scheduler = scheduler;
        }

        @GetMapping("/notes")
        Map<String, Object> notes() {
            return Map.of(
                    "tenant",
                    TenantContext.require().value(),
                    "notes",
                    jdbc.queryForList("SELECT body FROM notes ORDER BY body", String.class));
        }

        @PostMapping("/notes")
        String add(@RequestBody String body) {
            transactions.executeWithoutResult(status -> jdbc.update("INSERT INTO notes (body) VALUES (?)", body));
            return "added";
        }

        @GetMapping("/async")
        String async() throws Exception {
            Future<String> seen = executor.submit(() -> TenantContext.require().value() + " on "
                    + (Thread.currentThread().getName().startsWith("task-") ? "application task executor" : "?"));
            return seen.get();
        }

        /** Spring MVC's asynchronous request: the callable runs on Boot's executor, the result is written in an async dispatch. */
        @GetMapping("/mvc-async")
        Callable<String> mvcAsync() {
            return () -> "callable ran as " + TenantContext.require().value();
        }

        @GetMapping("/scheduled")
        String scheduled() throws Exception {
            CompletableFuture<String> seen = new CompletableFuture<>();
            scheduler.schedule(
                    () -> seen.complete(
                            TenantContext.current().map(TenantId::value).orElse("none")),
                    Instant.now().plusMillis(10));
            return "scheduled task ran as " + seen.get(10, TimeUnit.SECONDS);
        }

        @GetMapping("/public/ping")
        String ping() {
            return "bound: " + TenantContext.current().isPresent();
        }
    }

    /** Tells, in a header, which tenant was bound while the response body was written. */
    @ControllerAdvice
    static class RenderedAs implements ResponseBodyAdvice<Object> {
        @Override
        public boolean supports(MethodParameter returnType, Class<? extends HttpMessageConverter<?>> converterType) {
            return true;
        }

        @Override
        public Object beforeBodyWrite(
                Object body,
                MethodParameter returnType,
                MediaType contentType,
                Class<? extends HttpMessageConverter<?>> converterType,
                ServerHttpRequest request,
                ServerHttpResponse response) {
            response.getHeaders()
                    .add(
                            "X-Rendered-As",
                            TenantContext.current().map(TenantId::value).orElse("none"));
            return body;
        }
    }
}
