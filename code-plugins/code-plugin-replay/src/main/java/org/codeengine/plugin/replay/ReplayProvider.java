package org.codeengine.plugin.replay;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.experts.Usage;
import org.codeengine.api.spi.ChatMessage;
import org.codeengine.api.spi.ChatRequest;
import org.codeengine.api.spi.ChatResponse;
import org.codeengine.api.spi.ExpertClient;
import org.codeengine.api.spi.ExpertProvider;
import org.codeengine.api.spi.ProviderConfig;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Answers from recorded replies, for tests, offline evaluation and demos. The setting {@code file} names a JSON-lines
 * file (gzip if it ends in {@code .gz}), one question per line: {@code {"question": "...", "answers": {"model":
 * "reply", ...}}}. A request is answered with the reply recorded for its model to its last user message (compared
 * with surrounding white space trimmed); token counts are estimated at four characters a token.
 */
public final class ReplayProvider implements ExpertProvider {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The provider as {@link java.util.ServiceLoader} makes it. */
    public ReplayProvider() {}

    @Override
    public String name() {
        return "replay";
    }

    @Override
    public String apiVersion() {
        return ApiVersion.CURRENT;
    }

    @Override
    public ExpertClient create(ProviderConfig config) {
        String file = config.settings().get("file");
        if (file == null || file.isBlank()) {
            throw new ConfigurationException("the replay provider needs the setting 'file' (a JSON-lines file of"
                    + " recorded replies)", null);
        }
        return new Client(load(Path.of(file)));
    }

    /** {@return question to model to reply} */
    static Map<String, Map<String, String>> load(Path file) {
        Map<String, Map<String, String>> replies = new HashMap<>();
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = file.toString().endsWith(".gz")
                        ? new GZIPInputStream(raw)
                        : raw;
                BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            int number = 0;
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode row;
                try {
                    row = JSON.readTree(line);
                } catch (JacksonException e) {
                    throw new ConfigurationException("replay file " + file + " line " + number + " is not JSON: " + e
                            .getOriginalMessage(), null);
                }
                JsonNode question = row.get("question");
                JsonNode answers = row.get("answers");
                if (question == null || !question.isString() || answers == null || !answers.isObject()) {
                    throw new ConfigurationException("replay file " + file + " line " + number
                            + " needs a string 'question' and an object 'answers'", null);
                }
                Map<String, String> byModel = replies.computeIfAbsent(question.asString().strip(),
                        q -> new HashMap<>());
                for (var answer : answers.properties()) {
                    if (answer.getValue().isString()) {
                        byModel.put(answer.getKey(), answer.getValue().asString());
                    }
                }
            }
        } catch (IOException e) {
            throw new ConfigurationException("cannot read replay file " + file + ": " + e.getMessage(), e);
        }
        return replies;
    }

    private record Client(Map<String, Map<String, String>> replies) implements ExpertClient {
        @Override
        public ChatResponse complete(ChatRequest request) {
            long began = System.nanoTime();
            String question = null;
            int promptChars = 0;
            for (ChatMessage m : request.messages()) {
                promptChars += m.content().length();
                if (m.role() == ChatMessage.Role.USER) {
                    question = m.content().strip();
                }
            }
            Map<String, String> byModel = question == null ? null : replies.get(question);
            if (byModel == null) {
                throw new NotFoundException("no recorded replies to this question", null);
            }
            String reply = byModel.get(request.model());
            if (reply == null) {
                throw new NotFoundException("no recorded reply of model '" + request.model() + "' to this question",
                        null);
            }
            return new ChatResponse(reply, request.model(), ChatResponse.FinishReason.STOP, new Usage(
                    (promptChars + 3) / 4, (reply.length() + 3) / 4), Duration.ofNanos(System.nanoTime() - began));
        }

        @Override
        public void close() {}
    }
}
