package dev.tenancy.billing;

import dev.tenancy.TenantId;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Objects;

/**
 * One override granted to one tenant: what, from which day, until which day (exclusive; {@code
 * null} for open-ended), why and by whom.
 *
 * @param id the grant's id
 * @param tenant the tenant
 * @param override what is granted
 * @param from the first day it applies
 * @param until the first day it no longer applies, or {@code null}
 * @param reason why, as recorded in the audit log
 * @param grantedBy the actor's id
 * @param grantedAt when
 * @param revoked whether it was revoked (revoked grants never apply)
 */
public record Grant(
        long id,
        TenantId tenant,
        BillingOverride override,
        LocalDate from,
        LocalDate until,
        String reason,
        String grantedBy,
        Instant grantedAt,
        boolean revoked) {
    public Grant {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(override, "override");
        Objects.requireNonNull(from, "from");
        if (until != null && !until.isAfter(from)) {
            throw new IllegalArgumentException("An override must end after it starts, was from " + from + " until "
                    + until + ": fix the dates or leave the end open");
        }
    }

    /** Whether it applies on {@code day}. */
    public boolean appliesOn(LocalDate day) {
        return !revoked && !day.isBefore(from) && (until == null || day.isBefore(until));
    }
}
