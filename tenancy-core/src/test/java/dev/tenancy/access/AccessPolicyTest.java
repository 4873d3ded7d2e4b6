package dev.tenancy.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenancy.Actor;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class AccessPolicyTest {
    private static final Actor ADMIN = Actor.user("ops-1", AccessPolicy.SYSTEM_ADMIN);
    private static final Actor SENIOR = Actor.user("ops-7", AccessPolicy.SYSTEM_ADMIN);
    private static final Actor DRIVER = Actor.user("d-1", "driver");

    @Test
    @DisplayName("the platform defaults give system_admin the manual's permissions but writing while impersonating")
    void platformDefaults() {
        AccessPolicy policy = AccessPolicy.platformDefaults();

        assertThat(policy.permissionsOf(ADMIN))
                .hasSize(Permission.PLATFORM.size() - 1)
                .contains(Permission.TENANTS_SUSPEND, Permission.IMPERSONATION_START)
                .doesNotContain(Permission.IMPERSONATION_WRITE_ENABLE);
        assertThat(policy.allows(DRIVER, Permission.TENANTS_LIST)).isFalse();
        assertThat(policy.permissionsOf(DRIVER)).isEmpty();
    }

    @Test
    @DisplayName("grants to a role and to one actor add up; nothing else is granted")
    void grantsAddUp() {
        AccessPolicy policy = AccessPolicy.builder()
                .grant(AccessPolicy.SYSTEM_ADMIN, AccessPolicy.SYSTEM_ADMIN_DEFAULTS)
                .grantTo("ops-7", Permission.IMPERSONATION_WRITE_ENABLE)
                .grant("accounting", Permission.BILLING_READ)
                .grant("accounting", Permission.of("tenant.invoices.export"))
                .build();

        assertThat(policy.allows(SENIOR, Permission.IMPERSONATION_WRITE_ENABLE)).isTrue();
        assertThat(policy.allows(ADMIN, Permission.IMPERSONATION_WRITE_ENABLE)).isFalse();
        Actor accountant = Actor.user("a-1", "accounting");
        assertThat(policy.permissionsOf(accountant))
                .containsExactlyInAnyOrder(Permission.BILLING_READ, Permission.of("tenant.invoices.export"));
    }

    @Test
    @DisplayName("require names the actor, its role, the permission and the fix")
    void require_namesWhatIsMissing() {
        assertThatThrownBy(() -> AccessPolicy.platformDefaults().require(DRIVER, Permission.TENANTS_SUSPEND))
                .isInstanceOfSatisfying(AccessDeniedException.class, e -> {
                    assertThat(e.actor()).isEqualTo(DRIVER);
                    assertThat(e.permission()).isEqualTo(Permission.TENANTS_SUSPEND);
                })
                .hasMessage("Actor 'd-1' (role driver) does not hold platform.tenants.suspend: grant it to the role"
                        + " or to the actor in the AccessPolicy");
    }

    @Test
    @DisplayName("a malformed permission or grant is refused, naming the value and the rule")
    void badInput_isRefused() {
        assertThatThrownBy(() -> Permission.of("Platform.Tenants"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'Platform.Tenants'")
                .hasMessageContaining("lowercase");
        assertThatThrownBy(() -> Permission.of("platform")).hasMessageContaining("at least two");
        assertThatThrownBy(() -> Permission.of("platform..tenants")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AccessPolicy.builder().grant(" ", Permission.TENANTS_LIST))
                .hasMessageContaining("role must be 1 to 64 characters");
        assertThatThrownBy(() -> AccessPolicy.builder().grantTo("ops-1", (Permission) null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("actor id 'ops-1'");
    }
}
