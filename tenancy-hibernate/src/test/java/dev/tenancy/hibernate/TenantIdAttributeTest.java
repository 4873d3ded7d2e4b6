package dev.tenancy.hibernate;

import static org.assertj.core.api.Assertions.assertThat;

import org.hibernate.annotations.TenantId;
import org.junit.jupiter.api.Test;

/** Where an entity's {@code @TenantId} is found: on a field, inherited, or on a getter. */
class TenantIdAttributeTest {

    static class Base {
        @TenantId
        String owner;
    }

    static class Inherited extends Base {}

    static class ByProperty {
        @TenantId
        public String getTenantKey() {
            return null;
        }
    }

    static class Unscoped {
        String tenantId; // a field named so, without the annotation
    }

    @Test
    void onAField_inheritedOrNot_andOnAGetter() {
        assertThat(TenantIdStatementCheck.tenantIdAttribute(Note.class)).isEqualTo("tenantId");
        assertThat(TenantIdStatementCheck.tenantIdAttribute(Inherited.class)).isEqualTo("owner");
        assertThat(TenantIdStatementCheck.tenantIdAttribute(ByProperty.class)).isEqualTo("tenantKey");
        assertThat(TenantIdStatementCheck.tenantIdAttribute(Unscoped.class)).isNull();
        assertThat(EntityScopeCheck.hasTenantId(ByProperty.class))
                .as("an entity with @TenantId on its getter is tenant-scoped for the bootstrap check")
                .isTrue();
    }
}
