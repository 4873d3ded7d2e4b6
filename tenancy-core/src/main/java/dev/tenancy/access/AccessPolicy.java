package dev.tenancy.access;

import dev.tenancy.Actor;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Which {@link Permission}s an {@link Actor} holds: those granted to its role, plus those granted
 * to it by id. Nothing else: a role or an actor that was granted nothing holds nothing. Immutable
 * and thread-safe.
 *
 * <pre>{@code
 * AccessPolicy policy = AccessPolicy.builder()
 *         .grant(AccessPolicy.SYSTEM_ADMIN, AccessPolicy.SYSTEM_ADMIN_DEFAULTS)
 *         .grantTo("ops-7", Permission.IMPERSONATION_WRITE_ENABLE)   // a designated admin
 *         .build();
 * policy.require(actor, Permission.TENANTS_SUSPEND);    // or AccessDeniedException
 * }</pre>
 */
public final class AccessPolicy {

    /** The role the admin manual gives to platform staff. */
    public static final String SYSTEM_ADMIN = "system_admin";

    private final Map<String, Set<Permission>> byRole;
    private final Map<String, Set<Permission>> byActor;

    private AccessPolicy(Builder b) {
        this.byRole = freeze(b.byRole);
        this.byActor = freeze(b.byActor);
    }

    /**
     * What {@link #platformDefaults()} grants {@value #SYSTEM_ADMIN}: the admin manual's platform
     * permissions (Appendix B) but {@link Permission#IMPERSONATION_WRITE_ENABLE}, which the manual's
     * chapter on impersonation keeps to senior or designated admins.
     */
    public static final List<Permission> SYSTEM_ADMIN_DEFAULTS = Permission.PLATFORM.stream()
            .filter(p -> !p.equals(Permission.IMPERSONATION_WRITE_ENABLE))
            .toList();

    /**
     * {@link #SYSTEM_ADMIN_DEFAULTS} for {@value #SYSTEM_ADMIN}, nothing for anyone else. To let
     * designated admins write while impersonating, build the policy instead: {@code
     * builder().grant(SYSTEM_ADMIN, SYSTEM_ADMIN_DEFAULTS).grantTo(id,
     * Permission.IMPERSONATION_WRITE_ENABLE).build()}.
     */
    public static AccessPolicy platformDefaults() {
        return builder().grant(SYSTEM_ADMIN, SYSTEM_ADMIN_DEFAULTS).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether {@code actor} holds {@code permission}, through its role or its id. */
    public boolean allows(Actor actor, Permission permission) {
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(permission, "permission");
        return byRole.getOrDefault(actor.role(), Set.of()).contains(permission)
                || byActor.getOrDefault(actor.id(), Set.of()).contains(permission);
    }

    /**
     * Returns normally when {@code actor} holds {@code permission}.
     *
     * @throws AccessDeniedException naming the actor, its role and the permission, when it does not
     */
    public void require(Actor actor, Permission permission) {
        if (!allows(actor, permission)) {
            throw new AccessDeniedException(actor, permission);
        }
    }

    /** Everything {@code actor} holds, in the order granted (role's first). */
    public Set<Permission> permissionsOf(Actor actor) {
        Objects.requireNonNull(actor, "actor");
        Set<Permission> all = new LinkedHashSet<>(byRole.getOrDefault(actor.role(), Set.of()));
        all.addAll(byActor.getOrDefault(actor.id(), Set.of()));
        return Set.copyOf(all);
    }

    @Override
    public String toString() {
        return "AccessPolicy[roles=" + byRole + ", actors=" + byActor + "]";
    }

    private static Map<String, Set<Permission>> freeze(Map<String, Set<Permission>> grants) {
        Map<String, Set<Permission>> frozen = new LinkedHashMap<>();
        grants.forEach((k, v) -> frozen.put(k, java.util.Collections.unmodifiableSet(new LinkedHashSet<>(v))));
        return java.util.Collections.unmodifiableMap(frozen);
    }

    /** Builds an {@link AccessPolicy}; grants add up. */
    public static final class Builder {
        private final Map<String, Set<Permission>> byRole = new LinkedHashMap<>();
        private final Map<String, Set<Permission>> byActor = new LinkedHashMap<>();

        private Builder() {}

        /** Grants {@code permissions} to every actor in {@code role}. */
        public Builder grant(String role, Permission... permissions) {
            return grant(role, Arrays.asList(permissions));
        }

        /** Grants {@code permissions} to every actor in {@code role}. */
        public Builder grant(String role, Collection<Permission> permissions) {
            add(byRole, "role", role, 64, permissions);
            return this;
        }

        /** Grants {@code permissions} to the actor with id {@code actorId}, whatever its role. */
        public Builder grantTo(String actorId, Permission... permissions) {
            add(byActor, "actor id", actorId, 200, Arrays.asList(permissions));
            return this;
        }

        private static void add(
                Map<String, Set<Permission>> grants,
                String what,
                String key,
                int maxLength,
                Collection<Permission> permissions) {
            Objects.requireNonNull(key, what);
            if (key.isBlank() || key.length() > maxLength) {
                throw new IllegalArgumentException(
                        "A grant's " + what + " must be 1 to " + maxLength + " characters, was '" + key + "'");
            }
            for (Permission p : permissions) {
                Objects.requireNonNull(p, "permission granted to " + what + " '" + key + "'");
            }
            grants.computeIfAbsent(key, k -> new LinkedHashSet<>()).addAll(permissions);
        }

        public AccessPolicy build() {
            return new AccessPolicy(this);
        }
    }
}
