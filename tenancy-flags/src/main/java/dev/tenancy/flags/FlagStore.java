package dev.tenancy.flags;

import dev.tenancy.Actor;
import dev.tenancy.TenantId;
import dev.tenancy.audit.AuditLog;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Where flag definitions and per-tenant overrides live. Every change is audited with its actor and
 * reason, and bumps {@link #version()}, which {@link FeatureFlags} polls (and, on PostgreSQL, is
 * notified of) to refresh its snapshots. Implementations: {@link #inMemory(AuditLog)} and {@link
 * JdbcFlagStore} (PostgreSQL and H2).
 */
public interface FlagStore {

    /** Every flag definition. */
    List<FlagDefinition> definitions();

    /** The definition of {@code key}, if any. */
    Optional<FlagDefinition> definition(String key);

    /** Every override, expired ones included (they are removed by {@link #clearOverride}). */
    List<FlagOverride> overrides();

    /** The overrides of one tenant. */
    List<FlagOverride> overrides(TenantId tenant);

    /** A number that changes whenever anything in the store changes. */
    long version();

    /**
     * Creates or replaces a definition.
     *
     * @throws IllegalArgumentException when it requires a flag that is not defined
     */
    void define(FlagDefinition definition, Actor actor, String reason);

    /**
     * Removes a definition and its overrides.
     *
     * @throws IllegalStateException naming the dependents when other flags require it
     */
    void remove(String key, Actor actor, String reason);

    /**
     * Sets these overrides (replacing each tenant's previous override of the same flag) in one
     * transaction: all of them or none, one audit event each.
     *
     * @throws IllegalArgumentException naming the flag when one is not defined
     */
    void override(Collection<FlagOverride> overrides, Actor actor);

    /** Removes {@code tenant}'s override of {@code key}; nothing when there is none. */
    void clearOverride(TenantId tenant, String key, Actor actor, String reason);

    /** A store in memory, for tests and single-node development. */
    static FlagStore inMemory(AuditLog audit) {
        return new InMemoryFlagStore(audit);
    }
}
