package dev.tenancy.examples.quickstart;

import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import dev.tenancy.TenantStatus;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.audit.JdbcAuditLog;
import dev.tenancy.catalog.JdbcTenantCatalog;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.catalog.TenantRegistration;
import dev.tenancy.context.TenantContext;
import dev.tenancy.resolve.AdmittedTenant;
import dev.tenancy.resolve.TenantAdmission;
import dev.tenancy.resolve.TenantRequest;
import dev.tenancy.resolve.TenantResolver;
import java.time.Duration;
import javax.sql.DataSource;

/** The usage example of the README, verbatim between the markers; a test keeps the two equal. */
public final class ReadmeExample {
    private ReadmeExample() {}

    /** Runs the README example against {@code dataSource} and returns the tenant it served. */
    public static TenantId run(DataSource dataSource) {
        // README:start
        AuditLog audit = JdbcAuditLog.builder(dataSource).build();
        TenantCatalog catalog = TenantCatalog.cached(
                JdbcTenantCatalog.builder(dataSource).auditLog(audit).build(), Duration.ofMinutes(5));

        Actor admin = Actor.user("ops-1", "system_admin");
        TenantId acme = TenantId.of("acme");
        catalog.register(
                TenantRegistration.builder(acme, "Acme Corp").tier("pro").build(), admin);
        catalog.transition(acme, TenantStatus.ACTIVE, admin, "Contract signed");

        TenantAdmission admission = TenantAdmission.builder()
                .catalog(catalog)
                .resolvers(TenantResolver.subdomain("app.example.com"), TenantResolver.header())
                .build();

        AdmittedTenant tenant = admission.admit(
                TenantRequest.builder().host("acme.app.example.com").build());
        TenantId served = tenant.scope().call(() -> TenantContext.require()); // acme, for this scope only
        // README:end
        return served;
    }
}
