package dev.tenancy.resolve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import dev.tenancy.TenantNotActiveException;
import dev.tenancy.TenantStatus;
import dev.tenancy.UnknownTenantException;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class TenantAdmissionTest {
    private static final Actor ADMIN = Actor.user("u-1", "system_admin");
    private static final TenantId ACME = TenantId.of("acme");
    private static final TenantId GLOBEX = TenantId.of("globex");

    private TenantCatalog catalog;
    private TenantAdmission admission;

    @BeforeEach
    void setUp() {
        catalog = TenantCatalog.inMemory(AuditLog.inMemory());
        catalog.register(TenantRegistration.builder(ACME, "Acme").active().build(), ADMIN);
        catalog.register(TenantRegistration.builder(GLOBEX, "Globex").active().build(), ADMIN);
        catalog.addDomain(ACME, "app.acme.com", ADMIN);
        catalog.verifyDomain("app.acme.com", ADMIN);
        admission = TenantAdmission.builder()
                .catalog(catalog)
                .resolvers(
                        TenantResolver.customDomain(catalog),
                        TenantResolver.subdomain("app.example.com"),
                        TenantResolver.header(),
                        TenantResolver.claim("tenant_id"),
                        TenantResolver.pathPrefix("/t/"))
                .authenticatedClaim("tenant_id")
                .archivedReadOnly(true)
                .build();
    }

    private static TenantRequest.Builder request() {
        return TenantRequest.builder();
    }

    @Nested
    @DisplayName("resolution, in priority order")
    class Resolution_ {
        @Test
        void customDomain_first() {
            Resolution r = admission.resolve(request()
                    .host("APP.acme.com:443")
                    .header("X-Tenant-ID", "acme")
                    .build());
            assertThat(r).isEqualTo(new Resolution(ACME, "custom-domain"));
        }

        @Test
        void subdomain_second() {
            assertThat(admission.resolve(
                            request().host("globex.app.example.com").build()))
                    .isEqualTo(new Resolution(GLOBEX, "subdomain"));
        }

        @Test
        void header_third_caseInsensitiveName() {
            assertThat(admission.resolve(request()
                            .host("app.example.com")
                            .header("x-tenant-id", "globex")
                            .build()))
                    .isEqualTo(new Resolution(GLOBEX, "header"));
        }

        @Test
        void claim_fourth() {
            assertThat(admission.resolve(request().claim("tenant_id", "acme").build()))
                    .isEqualTo(new Resolution(ACME, "claim"));
        }

        @Test
        void pathPrefix() {
            assertThat(admission.resolve(request().path("/t/globex/orders?x=1").build()))
                    .isEqualTo(new Resolution(GLOBEX, "path"));
            assertThat(admission
                            .resolve(request().path("/t/globex?x=1").build())
                            .tenantId())
                    .isEqualTo(GLOBEX);
        }

        @Test
        void wwwAndDeeperHosts_nameNoTenant() {
            assertThatThrownBy(() -> admission.resolve(
                            request().host("www.app.example.com").build()))
                    .isInstanceOf(TenantNotResolvedException.class)
                    .hasMessageContaining("[custom-domain, subdomain, header, claim, path]");
            assertThatThrownBy(() -> admission.resolve(
                            request().host("a.b.app.example.com").build()))
                    .isInstanceOf(TenantNotResolvedException.class);
        }

        @Test
        void unverifiedDomain_namesNoTenant() {
            catalog.addDomain(GLOBEX, "shop.globex.io", ADMIN);
            assertThatThrownBy(() ->
                            admission.resolve(request().host("shop.globex.io").build()))
                    .isInstanceOf(TenantNotResolvedException.class);
        }
    }

    @Nested
    @DisplayName("the authenticated principal's tenant is never overridden")
    class Mismatch {
        @Test
        void headerDisagreeingWithTheClaim_isRefused() {
            assertThatThrownBy(() -> admission.resolve(request()
                            .header("X-Tenant-ID", "globex")
                            .claim("tenant_id", "acme")
                            .build()))
                    .isInstanceOfSatisfying(TenantMismatchException.class, e -> {
                        assertThat(e.authenticated()).isEqualTo(ACME);
                        assertThat(e.requested()).isEqualTo(GLOBEX);
                        assertThat(e.resolver()).isEqualTo("header");
                    })
                    .hasMessageContaining("'globex'")
                    .hasMessageContaining("'acme'");
        }

        @Test
        void lowerPriorityResolverDisagreeing_isRefusedToo() {
            // The domain matches the claim, but the header names another tenant: refuse rather than ignore.
            assertThatThrownBy(() -> admission.resolve(request()
                            .host("app.acme.com")
                            .header("X-Tenant-ID", "globex")
                            .claim("tenant_id", "acme")
                            .build()))
                    .isInstanceOf(TenantMismatchException.class);
        }

        @Test
        void twoResolversNamingDifferentTenants_areRefused_withoutAnyClaim() {
            assertThatThrownBy(() -> admission.resolve(request()
                            .host("acme.app.example.com")
                            .header("X-Tenant-ID", "globex")
                            .build()))
                    .isInstanceOfSatisfying(TenantMismatchException.class, e -> {
                        assertThat(e.authenticated()).isEqualTo(ACME);
                        assertThat(e.firstResolver()).contains("subdomain");
                        assertThat(e.requested()).isEqualTo(GLOBEX);
                        assertThat(e.resolver()).isEqualTo("header");
                    })
                    .hasMessage("Request refused: the header resolver names tenant 'globex' but the subdomain"
                            + " resolver names tenant 'acme'; a request names one tenant");
            assertThatThrownBy(() -> admission.resolve(request()
                            .host("app.acme.com")
                            .path("/t/globex/campaigns")
                            .build()))
                    .isInstanceOf(TenantMismatchException.class);
            assertThatThrownBy(() -> admission.resolve(request()
                            .header("X-Tenant-ID", "acme")
                            .path("/t/globex/campaigns")
                            .build()))
                    .isInstanceOf(TenantMismatchException.class);
        }

        @Test
        void twoResolversNamingTheSameTenant_areServed_asFoundByTheFirst() {
            assertThat(admission.resolve(request()
                            .host("acme.app.example.com")
                            .header("X-Tenant-ID", "acme")
                            .path("/t/acme/campaigns")
                            .build()))
                    .isEqualTo(new Resolution(ACME, "subdomain"));
        }

        @Test
        void subdomainDisagreeingWithTheClaim_isRefused() {
            assertThatThrownBy(() -> admission.resolve(request()
                            .host("globex.app.example.com")
                            .claim("tenant_id", "acme")
                            .build()))
                    .isInstanceOf(TenantMismatchException.class);
        }

        @Test
        void agreeingHeaderAndClaim_areServed() {
            assertThat(admission
                            .resolve(request()
                                    .header("X-Tenant-ID", "acme")
                                    .claim("tenant_id", "acme")
                                    .build())
                            .tenantId())
                    .isEqualTo(ACME);
        }
    }

    @Nested
    @DisplayName("malformed input is refused before the catalog")
    class Malformed {
        @Test
        void repeatedHeader() {
            assertThatThrownBy(() -> admission.resolve(request()
                            .header("X-Tenant-ID", "acme")
                            .header("X-Tenant-ID", "globex")
                            .build()))
                    .isInstanceOf(InvalidTenantRequestException.class)
                    .hasMessageContaining("appears 2 times");
        }

        @Test
        void oversizedHeader() {
            assertThatThrownBy(() -> admission.resolve(
                            request().header("X-Tenant-ID", "a".repeat(10_000)).build()))
                    .isInstanceOf(InvalidTenantRequestException.class)
                    .hasMessageContaining("10000 characters long");
        }

        @Test
        void invalidIdInHeader() {
            assertThatThrownBy(() -> admission.resolve(
                            request().header("X-Tenant-ID", "ACME'--").build()))
                    .isInstanceOfSatisfying(
                            InvalidTenantRequestException.class,
                            e -> assertThat(e.resolver()).isEqualTo("header"))
                    .hasMessageContaining("X-Tenant-ID header does not name a valid tenant");
        }

        @Test
        void badHost() {
            assertThatThrownBy(() -> admission.resolve(
                            request().host("acme..example.com").build()))
                    .isInstanceOf(InvalidTenantRequestException.class)
                    .hasMessageContaining("Host header");
        }

        @Test
        void nonStringClaim() {
            assertThatThrownBy(() ->
                            admission.resolve(request().claim("tenant_id", 42).build()))
                    .isInstanceOf(InvalidTenantRequestException.class)
                    .hasMessageContaining("Integer");
        }
    }

    @Nested
    @DisplayName("admission")
    class Admission {
        @Test
        void activeTenant_isAdmittedReadWrite() {
            AdmittedTenant t =
                    admission.admit(request().header("X-Tenant-ID", "acme").build());
            assertThat(t.id()).isEqualTo(ACME);
            assertThat(t.resolvedBy()).isEqualTo("header");
            assertThat(t.readOnly()).isFalse();
            assertThat(t.scope().get(dev.tenancy.context.TenantContext::require))
                    .isEqualTo(ACME);
        }

        @Test
        void unknownTenant_isUnknownTenantException() {
            assertThatThrownBy(() -> admission.admit(
                            request().header("X-Tenant-ID", "nobody").build()))
                    .isInstanceOf(UnknownTenantException.class)
                    .hasMessageContaining("'nobody'");
        }

        @Test
        void suspendedTenant_isRefusedWithItsStatus_andTheStaffsReasonOnlyInTheException() {
            catalog.transition(GLOBEX, TenantStatus.SUSPENDED, ADMIN, "unpaid invoice");
            assertThatThrownBy(() -> admission.admit(GLOBEX))
                    .isInstanceOfSatisfying(TenantNotActiveException.class, e -> {
                        assertThat(e.status()).isEqualTo(TenantStatus.SUSPENDED);
                        assertThat(e.reason()).isEqualTo("unpaid invoice");
                    })
                    .hasMessage("Tenant 'globex' is suspended and cannot be served; contact its administrator");
        }

        @Test
        void pendingTenant_isRefused() {
            catalog.register(
                    TenantRegistration.builder(TenantId.of("initech"), "Initech")
                            .build(),
                    ADMIN);
            assertThatThrownBy(() -> admission.admit(TenantId.of("initech")))
                    .isInstanceOf(TenantNotActiveException.class)
                    .hasMessageContaining("pending approval");
        }

        @Test
        void archivedTenant_isAdmittedReadOnly_whenConfigured() {
            catalog.transition(GLOBEX, TenantStatus.ARCHIVED, ADMIN, "churned");
            assertThat(admission.admit(GLOBEX).readOnly()).isTrue();

            TenantAdmission strict = TenantAdmission.builder()
                    .catalog(catalog)
                    .resolvers(TenantResolver.header())
                    .build();
            assertThatThrownBy(() -> strict.admit(GLOBEX)).isInstanceOf(TenantNotActiveException.class);
        }
    }

    @Nested
    @DisplayName("builder")
    class BuilderRules {
        @Test
        void missingParts_andRepeatedOptions_areRefusedAtTheCall() {
            assertThatThrownBy(() -> TenantAdmission.builder()
                            .resolvers(TenantResolver.header())
                            .build())
                    .hasMessageContaining("needs a catalog");
            assertThatThrownBy(() -> TenantAdmission.builder().catalog(catalog).build())
                    .hasMessageContaining("needs at least one resolver");
            assertThatThrownBy(() -> TenantAdmission.builder().catalog(catalog).catalog(catalog))
                    .hasMessageContaining("already set");
            assertThatThrownBy(() -> TenantResolver.pathPrefix("t")).hasMessageContaining("'t'");
            assertThatThrownBy(() -> TenantResolver.subdomain("bad host!")).hasMessageContaining("'bad host!'");
        }
    }
}
