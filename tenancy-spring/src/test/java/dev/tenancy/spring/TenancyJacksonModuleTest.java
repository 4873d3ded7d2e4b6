package dev.tenancy.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenancy.TenantId;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class TenancyJacksonModuleTest {
    private final JsonMapper json =
            JsonMapper.builder().addModule(new TenancyJacksonModule()).build();

    record Body(TenantId tenant) {}

    @Test
    void aTenantIdIsItsString_bothWays() {
        assertThat(json.writeValueAsString(Map.of("tenant", TenantId.of("acme"))))
                .isEqualTo("{\"tenant\":\"acme\"}");
        assertThat(json.readValue("{\"tenant\":\"acme\"}", Body.class).tenant()).isEqualTo(TenantId.of("acme"));
    }

    @Test
    void anInvalidTenantId_isRefusedWhenRead_namingTheValue() {
        assertThatThrownBy(() -> json.readValue("{\"tenant\":\"Bad Id!\"}", Body.class))
                .hasStackTraceContaining("Bad Id!");
    }
}
