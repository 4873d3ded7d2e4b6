package dev.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class TenantStatusTest {

    @Test
    void transitionTable_isTheDocumentedOne() {
        assertThat(TenantStatus.PENDING_APPROVAL.next())
                .containsExactlyInAnyOrder(TenantStatus.ACTIVE, TenantStatus.REJECTED);
        assertThat(TenantStatus.ACTIVE.next()).containsExactlyInAnyOrder(TenantStatus.SUSPENDED, TenantStatus.ARCHIVED);
        assertThat(TenantStatus.SUSPENDED.next()).containsExactlyInAnyOrder(TenantStatus.ACTIVE, TenantStatus.ARCHIVED);
        assertThat(TenantStatus.ARCHIVED.next()).containsExactlyInAnyOrder(TenantStatus.ACTIVE, TenantStatus.PURGED);
        assertThat(TenantStatus.REJECTED.next()).containsExactly(TenantStatus.PURGED);
        assertThat(TenantStatus.PURGED.next()).isEmpty();
    }

    @Test
    void noStatus_movesToItself() {
        for (TenantStatus s : TenantStatus.values()) {
            assertThat(s.canMoveTo(s)).as(s.key()).isFalse();
        }
    }

    @Test
    void everyStatus_isReachableFromPendingApproval() {
        EnumSet<TenantStatus> reached = EnumSet.of(TenantStatus.PENDING_APPROVAL);
        boolean grew = true;
        while (grew) {
            grew = false;
            for (TenantStatus s : EnumSet.copyOf(reached)) {
                grew |= reached.addAll(s.next());
            }
        }
        assertThat(reached).containsExactlyInAnyOrder(TenantStatus.values());
    }

    @Test
    void keys_roundTrip_andUnknownKeysNameTheChoices() {
        for (TenantStatus s : TenantStatus.values()) {
            assertThat(TenantStatus.fromKey(s.key())).isEqualTo(s);
        }
        assertThatThrownBy(() -> TenantStatus.fromKey("churned"))
                .hasMessageContaining("'churned'")
                .hasMessageContaining("pending_approval");
    }

    @Test
    void nextSet_isUnmodifiable() {
        assertThatThrownBy(() -> TenantStatus.ACTIVE.next().add(TenantStatus.PURGED))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
