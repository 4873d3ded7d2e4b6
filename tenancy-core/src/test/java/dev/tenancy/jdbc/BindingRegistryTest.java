package dev.tenancy.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenancy.TenantId;
import java.sql.Connection;
import java.sql.DriverManager;
import org.junit.jupiter.api.Test;

class BindingRegistryTest {

    @Test
    void sweep_forgetsClosedConnections_andKeepsOpenOnes() throws Exception {
        BindingRegistry registry = new BindingRegistry();
        Binding binding = new Binding(TenantId.of("acme"), "t_acme", false);
        try (Connection open = DriverManager.getConnection("jdbc:h2:mem:")) {
            Connection closed = DriverManager.getConnection("jdbc:h2:mem:");
            registry.remember(open, binding);
            registry.remember(closed, binding);
            closed.close();

            registry.sweep();

            assertThat(registry.size()).isEqualTo(1);
            assertThat(registry.get(open)).isEqualTo(binding);
            assertThat(registry.get(closed)).isNull();
        }
    }
}
