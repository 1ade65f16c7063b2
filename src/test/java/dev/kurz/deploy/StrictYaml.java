package dev.kurz.deploy;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * YAML read the strict way: one document per file, no duplicate keys, and no property the target
 * type does not declare. fabric8's models keep unknown fields in an {@code additionalProperties}
 * map (a Jackson any-setter); that is switched off here, so a misspelt or misplaced field in a
 * manifest fails the test instead of being silently ignored by the model (and by Kubernetes).
 */
final class StrictYaml {
    private StrictYaml() {}

    static final ObjectMapper MAPPER = new ObjectMapper(YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .registerModule(new SimpleModule("strict").setDeserializerModifier(new BeanDeserializerModifier() {
                @Override
                public BeanDeserializerBuilder updateBuilder(DeserializationConfig config, BeanDescription bean, BeanDeserializerBuilder builder) {
                    builder.setAnySetter(null);
                    builder.setIgnoreUnknownProperties(false);
                    return builder;
                }
            }));

    /** The single document in {@code file}, as a tree. */
    static JsonNode tree(Path file) throws IOException {
        try (MappingIterator<JsonNode> docs = MAPPER.readerFor(JsonNode.class).readValues(Files.readString(file))) {
            List<JsonNode> all = docs.readAll();
            if (all.size() != 1) throw new AssertionError(file + ": expected one YAML document, found " + all.size());
            return all.get(0);
        }
    }

    static <T> T read(Path file, Class<T> type) throws IOException {
        return as(tree(file), type, file.toString());
    }

    static <T> T read(String yaml, Class<T> type, String where) throws IOException {
        return as(MAPPER.readTree(yaml), type, where);
    }

    static <T> T as(JsonNode tree, Class<T> type, String where) {
        try {
            return MAPPER.treeToValue(tree, type);
        } catch (IOException e) {
            throw new AssertionError(where + " is not a valid " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }
}
