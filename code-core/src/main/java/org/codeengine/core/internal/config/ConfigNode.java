package org.codeengine.core.internal.config;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.NotFoundException;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * A node of a YAML or JSON configuration with its path, so that every error names the field and the rule
 * ({@code services[2].health.interval must be a duration like 5s}).
 *
 * @param json the node
 * @param path its path from the root, empty for the root
 * @param subject what the root is called in messages ("the deployment", "the panel")
 */
public record ConfigNode(JsonNode json, String path, String subject) {
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");
    private static final YAMLMapper YAML = YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final JsonMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /**
     * {@return the root}
     *
     * @param text YAML, or JSON if it starts with a brace
     * @param source where it came from (a file name), for messages
     * @param what what the text must hold, for messages ("a deployment spec")
     * @param subject what the root is called in messages
     * @throws InvalidRequestException if the text is not well-formed or empty
     */
    public static ConfigNode parse(String text, String source, String what, String subject) {
        JsonNode root;
        boolean isJson = text.stripLeading().startsWith("{");
        try {
            root = isJson ? JSON.readTree(text) : YAML.readTree(text);
        } catch (JacksonException e) {
            TokenStreamLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new InvalidRequestException(source + " is not well-formed " + (isJson ? "JSON" : "YAML") + where
                    + ": " + e.getOriginalMessage(), null);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new InvalidRequestException(source + " is empty; it must hold " + what, null);
        }
        return new ConfigNode(root, "", subject);
    }

    /**
     * {@return its text}
     *
     * @param file a YAML or JSON file
     * @param what what it holds, for messages ("deployment spec")
     * @throws NotFoundException if the file does not exist
     * @throws InvalidRequestException if it cannot be read
     */
    public static String readFile(Path file, String what) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new NotFoundException(what + " " + file + " does not exist", e);
        } catch (IOException e) {
            throw new InvalidRequestException("cannot read " + what + " " + file + ": " + e.getMessage(), e);
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            throw new InvalidRequestException(what + " " + file + " is not UTF-8 text: byte " + in.position()
                    + " (0x" + HexFormat.of().toHexDigits(bytes[in.position()]) + ") is not valid UTF-8", null);
        }
        decoder.flush(out);
        return out.flip().toString();
    }

    /** {@return the map under this node, nested maps flattened to dotted keys} */
    public Map<String, String> settings() {
        Map<String, String> flat = new LinkedHashMap<>();
        flatten(this, "", flat);
        return flat;
    }

    /** Nested maps become dotted keys: {@code env: {A: b}} is {@code env.A = b}. */
    private static void flatten(ConfigNode node, String prefix, Map<String, String> into) {
        if (!node.json.isObject()) {
            throw node.invalid("must be a map of names to values");
        }
        for (Map.Entry<String, JsonNode> e : node.json.properties()) {
            ConfigNode child = node.child(e.getKey(), e.getValue());
            if (e.getValue().isObject()) {
                flatten(child, prefix + e.getKey() + ".", into);
            } else {
                into.put(prefix + e.getKey(), child.text());
            }
        }
    }

    public ConfigNode child(String name, JsonNode value) {
        return new ConfigNode(value, path.isEmpty() ? name : path + "." + name, subject);
    }

    public void only(Set<String> fields) {
        if (!json.isObject()) {
            throw invalid("must be a map with the fields " + new TreeSet<>(fields));
        }
        for (String name : json.propertyNames()) {
            if (!fields.contains(name)) {
                throw invalid("has an unknown field '" + name + "'; the fields are "
                        + new TreeSet<>(fields));
            }
        }
    }

    public ConfigNode required(String name) {
        JsonNode value = json.get(name);
        if (value == null || value.isNull()) {
            throw invalid("must have the field '" + name + "'");
        }
        return child(name, value);
    }

    public Optional<ConfigNode> optional(String name) {
        JsonNode value = json.get(name);
        return value == null || value.isNull()
                ? Optional.empty()
                : Optional.of(child(name, value));
    }

    public List<ConfigNode> elements() {
        if (!json.isArray()) {
            throw invalid("must be a list");
        }
        List<ConfigNode> elements = new ArrayList<>();
        for (int i = 0; i < json.size(); i++) {
            elements.add(new ConfigNode(json.get(i), path + "[" + i + "]", subject));
        }
        return elements;
    }

    public String text() {
        if (!json.isValueNode()) {
            throw invalid("must be a single value, not a list or map");
        }
        return json.asString();
    }

    public int integer() {
        if (!json.isIntegralNumber() || !json.canConvertToInt()) {
            throw invalid("must be a whole number but was " + json);
        }
        return json.asInt();
    }

    public double decimal() {
        if (!json.isNumber()) {
            throw invalid("must be a number but was " + json);
        }
        return json.asDouble();
    }

    public Duration duration() {
        String text = text().strip();
        if (text.startsWith("P") || text.startsWith("p")) {
            try {
                return Duration.parse(text);
            } catch (DateTimeParseException e) {
                throw invalid("is not an ISO-8601 duration: '" + text + "'");
            }
        }
        Matcher m = DURATION_PART.matcher(text);
        Duration total = Duration.ZERO;
        int at = 0;
        while (at < text.length() && m.find(at) && m.start() == at) {
            BigDecimal amount = new BigDecimal(m.group(1));
            long millisPer = switch (m.group(2)) {
                case "ms" -> 1L;
                case "s" -> 1_000L;
                case "m" -> 60_000L;
                case "h" -> 3_600_000L;
                default -> 86_400_000L;
            };
            total = total.plusMillis(amount.multiply(BigDecimal.valueOf(millisPer)).longValue());
            at = m.end();
        }
        if (at == 0 || at != text.length()) {
            throw invalid("must be a duration like 250ms, 5s, 1m30s or PT5S but was '" + text + "'");
        }
        return total;
    }

    public <T> T build(Supplier<T> constructor) {
        try {
            return constructor.get();
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidRequestException((path.isEmpty() ? subject : path) + ": " + e.getMessage(),
                    null);
        }
    }

    public InvalidRequestException invalid(@Nullable String rule) {
        return new InvalidRequestException((path.isEmpty() ? subject : path) + " " + rule, null);
    }
}
