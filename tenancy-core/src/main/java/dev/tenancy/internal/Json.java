package dev.tenancy.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one JSON mapper of the core: canonical output (map keys sorted) so that hashes over JSON are
 * stable across implementations, databases and releases. Internal; not API.
 */
public final class Json {
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();
    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};
    private static final TypeReference<LinkedHashMap<String, String>> STRING_MAP = new TypeReference<>() {};

    private Json() {}

    /** Canonical JSON text of {@code value}: keys sorted, no whitespace. */
    public static String write(Object value) {
        return MAPPER.writeValueAsString(value);
    }

    /** Parses a JSON object. */
    public static Map<String, Object> readMap(String json) {
        return MAPPER.readValue(json, MAP);
    }

    /** Parses a JSON object of strings. */
    public static Map<String, String> readStringMap(String json) {
        return MAPPER.readValue(json, STRING_MAP);
    }

    /**
     * Returns {@code map} as it reads back from its canonical JSON, so that every store returns
     * metadata with the same value types (numbers as Integer/Long/Double, nested maps and lists).
     */
    public static Map<String, Object> normalize(Map<String, ?> map) {
        return readMap(write(map));
    }
}
