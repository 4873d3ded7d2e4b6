package dev.tenancy;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TenantTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    private static Tenant tenant(String name, String tier, String email, Map<String, String> attributes) {
        return new Tenant(
                TenantId.of("acme"),
                name,
                TenantStatus.ACTIVE,
                null,
                tier,
                IsolationModel.SHARED,
                "default",
                email,
                attributes,
                null,
                NOW,
                NOW,
                1);
    }

    @Test
    void badFields_areRefusedNamingTheValue() {
        assertThatThrownBy(() -> tenant(" ", "pro", null, Map.of())).hasMessageContaining("Display name");
        assertThatThrownBy(() -> tenant("Acme", "Pro Plan", null, Map.of())).hasMessageContaining("'Pro Plan'");
        assertThatThrownBy(() -> tenant("Acme", "pro", "not-an-email", Map.of()))
                .hasMessageContaining("'not-an-email'");
        assertThatThrownBy(() -> tenant("Acme", "pro", null, Map.of("Bad Key", "x")))
                .hasMessageContaining("'Bad Key'");
        assertThatThrownBy(() -> tenant("Acme", "pro", null, Map.of("k", "x".repeat(4001))))
                .hasMessageContaining("4000");
    }
}
