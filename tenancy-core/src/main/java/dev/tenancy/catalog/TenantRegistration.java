package dev.tenancy.catalog;

import dev.tenancy.IsolationModel;
import dev.tenancy.Tenant;
import dev.tenancy.TenantId;
import dev.tenancy.TenantStatus;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A new tenant, as handed to {@link TenantCatalog#register}.
 *
 * <pre>{@code
 * TenantRegistration.builder(TenantId.of("acme"), "Acme Corp")
 *         .tier("pro").ownerEmail("jane@acme.com").isolation(IsolationModel.SCHEMA).build();
 * }</pre>
 *
 * @param id the slug; immutable once registered
 * @param displayName the company name
 * @param tier the plan/tier key
 * @param isolation the isolation model
 * @param server the database server to place the tenant on
 * @param ownerEmail the owner's email, or {@code null}
 * @param attributes free-form attributes
 * @param expiresAt when the tenant expires (a sandbox), or {@code null} for never; must be in the
 *     future when it is registered
 * @param initialStatus {@link TenantStatus#PENDING_APPROVAL} (manual approval) or {@link
 *     TenantStatus#ACTIVE} (auto-approve)
 */
public record TenantRegistration(
        TenantId id,
        String displayName,
        String tier,
        IsolationModel isolation,
        String server,
        String ownerEmail,
        Map<String, String> attributes,
        Instant expiresAt,
        TenantStatus initialStatus) {

    /** The server new tenants are placed on unless told otherwise. */
    public static final String DEFAULT_SERVER = "default";

    public TenantRegistration {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(isolation, "isolation");
        displayName = Tenant.requireDisplayName(displayName);
        tier = Tenant.requireKey("tier", tier);
        server = Tenant.requireKey("server", server);
        ownerEmail = Tenant.requireEmail(ownerEmail);
        attributes = Tenant.requireAttributes(attributes);
        expiresAt = expiresAt == null ? null : expiresAt.truncatedTo(ChronoUnit.MICROS); // as databases store it
        if (initialStatus != TenantStatus.PENDING_APPROVAL && initialStatus != TenantStatus.ACTIVE) {
            throw new IllegalArgumentException(
                    "A new tenant starts as pending_approval or active, not " + initialStatus);
        }
    }

    public static Builder builder(TenantId id, String displayName) {
        return new Builder(id, displayName);
    }

    /** Builds a {@link TenantRegistration}; defaults: tier {@code free}, shared isolation, pending approval. */
    public static final class Builder {
        private final TenantId id;
        private final String displayName;
        private String tier = "free";
        private IsolationModel isolation = IsolationModel.SHARED;
        private String server = DEFAULT_SERVER;
        private String ownerEmail;
        private final Map<String, String> attributes = new LinkedHashMap<>();
        private Instant expiresAt;
        private TenantStatus initialStatus = TenantStatus.PENDING_APPROVAL;

        private Builder(TenantId id, String displayName) {
            this.id = id;
            this.displayName = displayName;
        }

        public Builder tier(String tier) {
            this.tier = tier;
            return this;
        }

        public Builder isolation(IsolationModel isolation) {
            this.isolation = isolation;
            return this;
        }

        public Builder server(String server) {
            this.server = server;
            return this;
        }

        public Builder ownerEmail(String ownerEmail) {
            this.ownerEmail = ownerEmail;
            return this;
        }

        public Builder attribute(String key, String value) {
            this.attributes.put(key, value);
            return this;
        }

        /**
         * Makes the tenant expire at {@code expiresAt}: a {@linkplain dev.tenancy.Tenant#SANDBOX
         * sandbox} (trial, demo) that {@link dev.tenancy.provision.TenantOffboarding#expire} takes out
         * of service and removes then.
         */
        public Builder expiresAt(Instant expiresAt) {
            this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
            this.attributes.putIfAbsent(dev.tenancy.Tenant.SANDBOX, "true");
            return this;
        }

        /** Starts the tenant active instead of pending approval (auto-approve). */
        public Builder active() {
            this.initialStatus = TenantStatus.ACTIVE;
            return this;
        }

        public TenantRegistration build() {
            return new TenantRegistration(
                    id, displayName, tier, isolation, server, ownerEmail, attributes, expiresAt, initialStatus);
        }
    }
}
