package dev.tenancy.examples.reference;

import dev.tenancy.Page;
import dev.tenancy.audit.AuditEvent;
import dev.tenancy.audit.AuditLog;
import dev.tenancy.audit.AuditQuery;
import dev.tenancy.audit.SecurityEvents;
import dev.tenancy.context.TenantContext;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A tenant's own audit log, for its company admin: every change made to the tenant, by its own
 * people or by platform staff, including every impersonation of its users with the reason and the
 * consent on record (admin manual, chapter 21: "the customer's company_admin can see every
 * impersonation in their own tenant audit log"). Security events are left out: they may name
 * another tenant, and they are the platform's to investigate.
 */
@RestController
public class AuditController {
    private final AuditLog audit;

    public AuditController(AuditLog audit) {
        this.audit = audit;
    }

    /** Newest first; {@code entityType} narrows it, for example to {@code impersonation}. */
    @GetMapping({"/api/audit", "/t/{tenant}/api/audit"})
    List<AuditEvent> auditLog(
            @RequestParam(required = false) String entityType,
            @RequestParam(defaultValue = "0") int offset,
            @RequestParam(defaultValue = "50") int limit) {
        if (SecurityEvents.ENTITY_TYPE.equals(entityType)) {
            return List.of();
        }
        AuditQuery.Builder query = AuditQuery.builder()
                .tenant(TenantContext.require())
                .offset(offset)
                .limit(limit);
        if (entityType != null && !entityType.isBlank()) {
            query.entityType(entityType);
        }
        Page<AuditEvent> page = audit.query(query.build());
        return page.items().stream()
                .filter(e -> !e.entityType().equals(SecurityEvents.ENTITY_TYPE))
                .toList();
    }
}
