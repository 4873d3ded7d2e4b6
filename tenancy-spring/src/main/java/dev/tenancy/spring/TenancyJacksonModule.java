package dev.tenancy.spring;

import dev.tenancy.TenantId;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.deser.std.StdDeserializer;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.ser.std.ToStringSerializer;

/**
 * Jackson 3 support for Tenancy's values in Spring MVC's JSON: a {@link TenantId} is its string
 * ({@code "acme"}, not {@code {"value": "acme"}}) both ways, validated when read. Spring Boot
 * registers it with its {@code JsonMapper}.
 */
public final class TenancyJacksonModule extends SimpleModule {

    public TenancyJacksonModule() {
        super("tenancy");
        addSerializer(TenantId.class, ToStringSerializer.instance);
        addDeserializer(TenantId.class, new TenantIdDeserializer());
    }

    private static final class TenantIdDeserializer extends StdDeserializer<TenantId> {
        TenantIdDeserializer() {
            super(TenantId.class);
        }

        @Override
        public TenantId deserialize(JsonParser parser, DeserializationContext context) {
            return TenantId.of(parser.getValueAsString());
        }
    }
}
