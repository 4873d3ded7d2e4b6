package dev.tenancy.catalog;

import dev.tenancy.IsolationModel;
import dev.tenancy.Tenant;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A change to a tenant's editable fields, as handed to {@link TenantCatalog#update}. Fields left
 * unset keep their value; the id, status (see {@link TenantCatalog#transition}), isolation model
 * and placement do not change here.
 *
 * <pre>{@code
 * TenantUpdate.builder().tier("enterprise").attribute("crm-id", "0012").removeAttribute("trial").build();
 * }</pre>
 *
 * @param displayName a new display name, if any
 * @param tier a new tier, if any
 * @param ownerEmail a new owner email, if any
 * @param attributes attributes to set; a {@code null} value removes the key
 * @param isolation a new isolation model, if any: only for a move that has copied the data there
 *     ({@link dev.tenancy.provision.TenantMove})
 * @param server a new server (placement), if any: likewise, only for a move
 * @param expiresAt a new expiry, if any, after now (a sandbox extended or cut short); a tenant that
 *     is not a {@linkplain Tenant#SANDBOX sandbox} is archived at its expiry, never purged by it
 * @param neverExpires whether to remove the expiry (a sandbox kept for good)
 */
public record TenantUpdate(
        Optional<String> displayName,
        Optional<String> tier,
        Optional<String> ownerEmail,
        Map<String, String> attributes,
        Optional<IsolationModel> isolation,
        Optional<String> server,
        Optional<Instant> expiresAt,
        boolean neverExpires) {

    public TenantUpdate {
        displayName = displayName.map(Tenant::requireDisplayName);
        tier = tier.map(t -> Tenant.requireKey("tier", t));
        ownerEmail = ownerEmail.map(Tenant::requireEmail);
        attributes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
        server = server.map(v -> Tenant.requireKey("server", v));
        expiresAt = expiresAt.map(t -> t.truncatedTo(java.time.temporal.ChronoUnit.MICROS));
        if (neverExpires && expiresAt.isPresent()) {
            throw new IllegalArgumentException(
                    "An update cannot both set an expiry (" + expiresAt.get() + ") and remove it: choose one");
        }
        if (displayName.isEmpty()
                && tier.isEmpty()
                && ownerEmail.isEmpty()
                && attributes.isEmpty()
                && isolation.isEmpty()
                && server.isEmpty()
                && expiresAt.isEmpty()
                && !neverExpires) {
            throw new IllegalArgumentException("An update must change at least one field");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Returns {@code tenant} with this update applied at {@code now}, its version incremented. */
    public Tenant applyTo(Tenant tenant, Instant now) {
        if (expiresAt.isPresent() && !expiresAt.get().isAfter(now)) {
            throw new IllegalArgumentException("Tenant '" + tenant.id() + "' would expire at " + expiresAt.get()
                    + ", which is not after now (" + now + "): give an expiry in the future; to end a tenant now,"
                    + " archive it");
        }
        TreeMap<String, String> merged = new TreeMap<>(tenant.attributes());
        attributes.forEach((k, v) -> {
            if (v == null) {
                merged.remove(k);
            } else {
                merged.put(k, v);
            }
        });
        return new Tenant(
                tenant.id(),
                displayName.orElse(tenant.displayName()),
                tenant.status(),
                tenant.statusReason(),
                tier.orElse(tenant.tier()),
                isolation.orElse(tenant.isolation()),
                server.orElse(tenant.server()),
                ownerEmail.orElse(tenant.ownerEmail()),
                merged,
                neverExpires ? null : expiresAt.orElse(tenant.expiresAt()),
                tenant.createdAt(),
                now,
                tenant.version() + 1);
    }

    /** Builds a {@link TenantUpdate}. */
    public static final class Builder {
        private String displayName;
        private String tier;
        private String ownerEmail;
        private final Map<String, String> attributes = new LinkedHashMap<>();
        private IsolationModel isolation;
        private String server;
        private Instant expiresAt;
        private boolean neverExpires;

        private Builder() {}

        public Builder displayName(String displayName) {
            this.displayName = Objects.requireNonNull(displayName, "displayName");
            return this;
        }

        public Builder tier(String tier) {
            this.tier = Objects.requireNonNull(tier, "tier");
            return this;
        }

        public Builder ownerEmail(String ownerEmail) {
            this.ownerEmail = Objects.requireNonNull(ownerEmail, "ownerEmail");
            return this;
        }

        public Builder attribute(String key, String value) {
            Tenant.requireKey("attribute key", key);
            this.attributes.put(key, Objects.requireNonNull(value, "value; use removeAttribute to remove"));
            return this;
        }

        public Builder removeAttribute(String key) {
            Tenant.requireKey("attribute key", key);
            this.attributes.put(key, null);
            return this;
        }

        /**
         * Moves the tenant's record to {@code isolation} on {@code server}. Changes only the record:
         * {@link dev.tenancy.provision.TenantMove} copies the data first and calls this last.
         */
        public Builder placement(IsolationModel isolation, String server) {
            this.isolation = Objects.requireNonNull(isolation, "isolation");
            this.server = Objects.requireNonNull(server, "server");
            return this;
        }

        /** Makes the tenant expire at {@code expiresAt} (extends or shortens a sandbox's life). */
        public Builder expiresAt(Instant expiresAt) {
            this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt; use neverExpires to remove the expiry");
            return this;
        }

        /** Removes the tenant's expiry: it stays until it is archived and purged as any other. */
        public Builder neverExpires() {
            this.neverExpires = true;
            return this;
        }

        public TenantUpdate build() {
            return new TenantUpdate(
                    Optional.ofNullable(displayName),
                    Optional.ofNullable(tier),
                    Optional.ofNullable(ownerEmail),
                    attributes,
                    Optional.ofNullable(isolation),
                    Optional.ofNullable(server),
                    Optional.ofNullable(expiresAt),
                    neverExpires);
        }
    }
}
