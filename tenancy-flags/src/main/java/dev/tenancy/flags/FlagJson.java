package dev.tenancy.flags;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/** Flag configuration payloads: validated when defined, read into the application's types. */
final class FlagJson {
    static final JsonMapper MAPPER = JsonMapper.builder().build();

    private FlagJson() {}

    static void requireValid(String key, String json) {
        try {
            MAPPER.readTree(json);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("Flag '" + key + "': the configuration is not valid JSON ("
                    + e.getOriginalMessage() + "): " + json);
        }
    }

    static <T> T read(String json, Class<T> type) {
        return MAPPER.readValue(json, type);
    }
}
