package dev.tenancy.audit;

import java.util.Locale;

/** The in-memory reading of an {@link AuditQuery}; the JDBC log says the same in SQL. */
final class AuditFilter {
    private AuditFilter() {}

    static boolean matches(AuditQuery q, AuditEvent e, String metadataJson) {
        return (q.action() == null || q.action().equals(e.action()))
                && (q.entityType() == null || q.entityType().equals(e.entityType()))
                && (q.tenantId() == null || q.tenantId().equals(e.tenantId()))
                && (q.actorRole() == null || q.actorRole().equals(e.actorRole()))
                && (q.from() == null || !e.createdAt().isBefore(q.from()))
                && (q.to() == null || e.createdAt().isBefore(q.to()))
                && (q.text() == null
                        || metadataJson
                                .toLowerCase(Locale.ROOT)
                                .contains(q.text().toLowerCase(Locale.ROOT)));
    }
}
