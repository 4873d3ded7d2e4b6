package dev.tenancy.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.context.TenantContext;
import dev.tenancy.resolve.TenantAdmission;
import dev.tenancy.resolve.TenantRequest;
import dev.tenancy.resolve.TenantResolver;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/** The filter on its own, with Spring's mock requests: what it excludes and what it reads. */
class TenantFilterTest {
    private final TenantCatalog catalog = TenantCatalog.inMemory(AuditLog.inMemory());

    TenantFilterTest() {
        catalog.register(
                TenantRegistration.builder(TenantId.of("acme"), "Acme").active().build(), Actor.system("test"));
    }

    @Test
    void excludedPaths_plainSubtreesAndPatterns() throws Exception {
        TenantFilter filter = new TenantFilter(
                admission(TenantResolver.header()),
                TenantClaims.NONE,
                List.of("/actuator/**", "/error", "/files/*.png", "/{tenant}/public/**"));
        for (String path : List.of("/actuator", "/actuator/health", "/error", "/files/logo.png", "/acme/public/a/b")) {
            assertThat(status(filter, path, null)).as(path).isEqualTo(200);
        }
        for (String path : List.of("/actuatorx", "/error/x", "/files/logo.jpg", "/api/orders")) {
            assertThat(status(filter, path, null)).as(path).isEqualTo(400); // not excluded: no tenant named
        }
    }

    @Test
    void anInvalidExcludedPattern_isRefusedNamingIt() {
        assertThatThrownBy(() ->
                        new TenantFilter(admission(TenantResolver.header()), TenantClaims.NONE, List.of("/a/**/b/{")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'/a/**/b/{'");
    }

    @Test
    void onlyTheHeadersTheResolversRead_areCopied_unlessOneMayReadAny() throws Exception {
        List<Set<String>> seen = new ArrayList<>();
        TenantResolver recording = new TenantResolver() {
            @Override
            public Optional<TenantId> resolve(TenantRequest request) {
                seen.add(request.headers().keySet());
                return Optional.empty();
            }

            @Override
            public String name() {
                return "recording";
            }
        };
        TenantResolver declaring = new TenantResolver() {
            @Override
            public Optional<TenantId> resolve(TenantRequest request) {
                return recording.resolve(request);
            }

            @Override
            public String name() {
                return "declaring";
            }

            @Override
            public Set<String> headers() {
                return Set.of("X-Org");
            }
        };
        TenantAdmission narrow = admission(declaring, TenantResolver.header());
        assertThat(narrow.headers()).containsExactlyInAnyOrder("x-org", "x-tenant-id");
        assertThat(status(new TenantFilter(narrow, TenantClaims.NONE, List.of()), "/api", "acme"))
                .isEqualTo(200);
        assertThat(seen.getLast()).containsExactlyInAnyOrder("x-org", "x-tenant-id");

        TenantAdmission any = admission(recording, TenantResolver.header());
        assertThat(any.headers()).isEqualTo(TenantResolver.ANY_HEADER);
        assertThat(status(new TenantFilter(any, TenantClaims.NONE, List.of()), "/api", "acme"))
                .isEqualTo(200);
        assertThat(seen.getLast()).contains("x-tenant-id", "user-agent", "x-org");
    }

    private TenantAdmission admission(TenantResolver... resolvers) {
        return TenantAdmission.builder().catalog(catalog).resolvers(resolvers).build();
    }

    private static int status(TenantFilter filter, String path, String tenant) throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", path);
        request.addHeader("User-Agent", "test");
        request.addHeader("X-Org", "ignored");
        if (tenant != null) {
            request.addHeader("X-Tenant-ID", tenant);
        }
        MockHttpServletResponse response = new MockHttpServletResponse();
        filter.doFilter(request, response, (req, res) -> {
            if (!TenantContext.current().map(TenantId::value).orElse("").equals(tenant == null ? "" : tenant)) {
                throw new AssertionError("served as " + TenantContext.current());
            }
        });
        return response.getStatus();
    }
}
