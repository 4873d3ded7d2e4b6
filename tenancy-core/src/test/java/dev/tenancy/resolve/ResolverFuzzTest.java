package dev.tenancy.resolve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenancy.Actor;
import dev.tenancy.Page;
import dev.tenancy.Tenant;
import dev.tenancy.TenantId;
import dev.tenancy.TenantStatus;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantDomain;
import dev.tenancy.catalog.TenantQuery;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.catalog.TenantUpdate;
import dev.tenancy.internal.Hosts;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Whatever a request carries, only validated ids and normalised host names reach the catalog (and
 * so SQL); everything else is refused with {@link InvalidTenantRequestException} or names no tenant.
 */
class ResolverFuzzTest {

    /** A catalog that fails the test if anything unvalidated reaches it. */
    static final class GuardCatalog implements TenantCatalog {
        @Override
        public Optional<Tenant> find(TenantId id) {
            assertThat(TenantId.isValid(id.value())).isTrue();
            return Optional.empty();
        }

        @Override
        public Optional<TenantId> findByDomain(String host) {
            assertThat(Hosts.normalize(host)).isEqualTo(host);
            assertThat(host).matches("[a-z0-9.-]{1,253}");
            return Optional.empty();
        }

        @Override
        public List<TenantDomain> domains(TenantId id) {
            throw new AssertionError();
        }

        @Override
        public Page<Tenant> list(TenantQuery query) {
            throw new AssertionError();
        }

        @Override
        public java.util.Map<String, Long> countByServer(dev.tenancy.IsolationModel isolation) {
            throw new AssertionError();
        }

        @Override
        public Tenant register(TenantRegistration registration, Actor actor) {
            throw new AssertionError();
        }

        @Override
        public Tenant update(TenantId id, TenantUpdate update, Actor actor) {
            throw new AssertionError();
        }

        @Override
        public Tenant transition(TenantId id, TenantStatus target, Actor actor, String reason) {
            throw new AssertionError();
        }

        @Override
        public TenantDomain addDomain(TenantId id, String domain, Actor actor) {
            throw new AssertionError();
        }

        @Override
        public TenantDomain verifyDomain(String domain, Actor actor) {
            throw new AssertionError();
        }

        @Override
        public TenantDomain setPrimaryDomain(String domain, Actor actor) {
            throw new AssertionError();
        }

        @Override
        public void unverifyDomain(String domain, Actor actor, String reason) {
            throw new AssertionError();
        }

        @Override
        public void removeDomain(String domain, Actor actor) {
            throw new AssertionError();
        }
    }

    private final GuardCatalog guard = new GuardCatalog();
    private final TenantAdmission admission = TenantAdmission.builder()
            .catalog(guard)
            .resolvers(
                    TenantResolver.customDomain(guard),
                    TenantResolver.subdomain("app.example.com"),
                    TenantResolver.header(),
                    TenantResolver.claim("tenant_id"),
                    TenantResolver.pathPrefix("/t/"))
            .build();

    @Provide
    Arbitrary<String> nasty() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(80),
                Arbitraries.strings()
                        .withChars("aA0-_.:'\";%/\\ \n\u0000\u00e9\u0130")
                        .ofMaxLength(40),
                Arbitraries.of(
                        "acme", "ACME", "acme'--", "' or 1=1 --", "a".repeat(300), "xn--80ak6aa92e", "..", "-a", "a-"),
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(60));
    }

    private void admitOrRefuse(TenantRequest request) {
        try {
            admission.admit(request);
        } catch (InvalidTenantRequestException | TenantNotResolvedException | dev.tenancy.UnknownTenantException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @Property(tries = 1500)
    void anyHost_reachesTheCatalogOnlyNormalised(@ForAll("nasty") String label) {
        admitOrRefuse(TenantRequest.builder().host(label).build());
        admitOrRefuse(TenantRequest.builder().host(label + ".app.example.com").build());
        admitOrRefuse(TenantRequest.builder().host(label + ":8080").build());
    }

    @Property(tries = 1500)
    void anyHeaderClaimOrPath_reachesTheCatalogOnlyAsAValidId(@ForAll("nasty") String value) {
        admitOrRefuse(TenantRequest.builder().header("X-Tenant-ID", value).build());
        admitOrRefuse(TenantRequest.builder().claim("tenant_id", value).build());
        admitOrRefuse(TenantRequest.builder().path("/t/" + value + "/x").build());
    }
}
