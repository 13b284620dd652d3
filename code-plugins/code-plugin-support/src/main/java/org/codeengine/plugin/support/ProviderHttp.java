package org.codeengine.plugin.support;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.codeengine.api.CodeException;
import org.codeengine.api.DeadlineExceededException;
import org.codeengine.api.RetriableException;
import org.codeengine.api.Secret;
import org.codeengine.api.UnavailableException;
import org.codeengine.api.spi.CallTracer;
import org.codeengine.api.spi.RateLimits;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Sends a provider's HTTP requests and retries them as the official SDKs do: a retriable status (408, 409, 429, 5xx)
 * or a network error is tried again after the wait the provider asked for ({@code retry-after-ms}, then
 * {@code retry-after}), else after an exponential backoff with jitter, unless {@code x-should-retry: false}
 * ({@code true} forces a retry); never past the total time budget. Errors become CODE's exceptions with the
 * provider's message and request id. A provider whose error body says more (a reason that changes the kind of error,
 * a wait) reads it with {@link #sendReadingErrors}. Thread-safe.
 */
public final class ProviderHttp {
    private static final int MAX_ERROR_BODY = 64 * 1024;
    private static final List<String> REQUEST_ID_HEADERS = List.of("x-request-id", "request-id", "openai-request-id",
            "x-goog-request-id", "cf-ray");
    private final String provider;
    private final HttpClient client;
    private final Clock clock;
    private final Settings settings;
    private final Sleeper sleeper;

    /**
     * How hard to try.
     *
     * @param maxRetries tries after the first; at least 0
     * @param initialBackoff the first backoff, doubled each retry
     * @param maxBackoff the longest backoff, and the longest retry-after honoured
     * @param budget the longest all tries together may take
     */
    public record Settings(int maxRetries, Duration initialBackoff, Duration maxBackoff, Duration budget) {
        /**
         * Checks the components against their rules.
         *
         * @throws IllegalArgumentException if a field breaks its rule
         */
        public Settings {
            if (maxRetries < 0 || initialBackoff.isNegative() || maxBackoff.isNegative() || !budget.isPositive()) {
                throw new IllegalArgumentException("maxRetries and backoffs must not be negative, budget positive");
            }
        }

        /**
         * {@return 2 retries, backoff from 0.5 s to 8 s (the official SDKs' defaults)}
         *
         * @param budget the total time budget
         */
        public static Settings defaults(Duration budget) {
            return new Settings(2, Duration.ofMillis(500), Duration.ofSeconds(8), budget);
        }
    }

    /** Waits between tries; tests may count instead. */
    @FunctionalInterface
    public interface Sleeper {
        /**
         * Waits.
         *
         * @param wait how long
         * @throws InterruptedException if the thread is interrupted while it waits
         */
        void sleep(Duration wait) throws InterruptedException;
    }

    /**
     * Sends a provider's requests through {@code client}, with retries and a time budget.
     *
     * @param provider the provider's name, for messages
     * @param client the HTTP client
     * @param clock now, for HTTP-date retry-after
     * @param settings retries and budget
     * @param sleeper waits between tries
     */
    public ProviderHttp(String provider, HttpClient client, Clock clock, Settings settings, Sleeper sleeper) {
        this.provider = provider;
        this.client = client;
        this.clock = clock;
        this.settings = settings;
        this.sleeper = sleeper;
    }

    /**
     * {@return an instance with a new HTTP/1.1-or-2 client, the system clock and the SDKs' retry defaults}
     *
     * @param provider the provider's name, for messages
     * @param budget the total time budget of a call
     */
    public static ProviderHttp create(String provider, Duration budget) {
        return new ProviderHttp(provider, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build(),
                Clock.systemUTC(), Settings.defaults(budget), Thread::sleep);
    }

    /**
     * {@return an instance with a new client, the system clock and the SDKs' backoffs}
     *
     * @param provider the provider's name, for messages
     * @param config the provider's configuration: its timeout is the budget of a call, the setting
     *        {@value org.codeengine.plugin.support.Settings#MAX_RETRIES} the number of retries
     */
    public static ProviderHttp create(String provider, org.codeengine.api.spi.ProviderConfig config) {
        Settings defaults = Settings.defaults(config.timeout());
        return new ProviderHttp(provider, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build(),
                Clock.systemUTC(), new Settings(org.codeengine.plugin.support.Settings.count(config.settings(),
                        org.codeengine.plugin.support.Settings.MAX_RETRIES, defaults.maxRetries()),
                        defaults
                                .initialBackoff(),
                        defaults.maxBackoff(), config.timeout()),
                Thread::sleep);
    }

    /** {@return the clock} */
    public Clock clock() {
        return clock;
    }

    /** {@return the HTTP client (for hosts that compare against a bare call)} */
    public HttpClient client() {
        return client;
    }

    /** {@return the total time budget of one call} */
    public Duration budget() {
        return settings.budget();
    }

    /**
     * {@return a POST of the body as {@code application/json}, timed out at the call's budget}
     *
     * @param uri where to post
     * @param body the JSON body
     * @param bearer a key to send as {@code Authorization: Bearer}, or null to send none (providers with their own
     *        key header add it to the builder)
     */
    public HttpRequest.Builder postJson(URI uri, JsonNode body, @Nullable Secret bearer) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(settings.budget()).header("Content-Type",
                "application/json").POST(
                        HttpRequest.BodyPublishers.ofByteArray(JsonBodies.JSON.writeValueAsBytes(
                                body)));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer.reveal());
        }
        return b;
    }

    /**
     * {@return the rate limits its headers say}
     *
     * @param response a reply
     */
    public RateLimits rateLimits(HttpResponse<?> response) {
        return RateLimitHeaders.parse(response.headers(), clock);
    }

    /**
     * Sends the request, retrying as described above.
     *
     * @param request the request; sent again as it is on a retry
     * @param errorMessage pulls the provider's error message out of an error body (its JSON); given the body text
     * @return the successful reply, its body still to read
     * @throws CodeException the mapped failure of the last try
     */
    public HttpResponse<InputStream> send(HttpRequest request, Function<String, @Nullable String> errorMessage) {
        return sendReadingErrors(request, body -> new ErrorBody(errorMessage.apply(body), null, null));
    }

    /**
     * What a provider's error body says.
     *
     * @param message the provider's message, or null when the body has none
     * @param mapAs the status to map the error as where the body says more than the status does (Google answers a bad
     *        key with 400 and the reason {@code API_KEY_INVALID}: mapped as 401), or null for the status itself
     * @param retryAfter the wait the body asks for (Google's {@code RetryInfo}), or null; then the retry headers count
     */
    public record ErrorBody(@Nullable String message, @Nullable Integer mapAs, @Nullable Duration retryAfter) {}

    /**
     * Sends the request, retrying as described above, for providers whose error bodies say more than a message.
     *
     * @param request the request; sent again as it is on a retry
     * @param errorBody reads an error body (given as text); it may throw on a body that is not the provider's JSON
     * @return the successful reply, its body still to read
     * @throws CodeException the mapped failure of the last try
     */
    public HttpResponse<InputStream> sendReadingErrors(HttpRequest request, Function<String, ErrorBody> errorBody) {
        return exchange(request, HttpResponse.BodyHandlers.ofInputStream(), ProviderHttp::drain, errorBody);
    }

    /**
     * Sends the request as {@link #send} does, for a reply read whole: the body arrives as bytes, without the hand-off
     * between the client's threads and the caller that a stream needs (about a tenth of a local round trip).
     *
     * @param request the request; sent again as it is on a retry
     * @param errorMessage pulls the provider's error message out of an error body (its JSON); given the body text
     * @return the successful reply with its whole body
     * @throws CodeException the mapped failure of the last try
     */
    public HttpResponse<byte[]> sendWhole(HttpRequest request, Function<String, @Nullable String> errorMessage) {
        return sendWholeReadingErrors(request, body -> new ErrorBody(errorMessage.apply(body), null, null));
    }

    /**
     * {@link #sendWhole} for providers whose error bodies say more than a message.
     *
     * @param request the request; sent again as it is on a retry
     * @param errorBody reads an error body (given as text)
     * @return the successful reply with its whole body
     * @throws CodeException the mapped failure of the last try
     */
    public HttpResponse<byte[]> sendWholeReadingErrors(HttpRequest request, Function<String, ErrorBody> errorBody) {
        return exchange(request, HttpResponse.BodyHandlers.ofByteArray(), bytes -> new String(bytes, 0, Math.min(
                bytes.length, MAX_ERROR_BODY), StandardCharsets.UTF_8), errorBody);
    }

    /** Reads an error body of the reply's body type as text. */
    @FunctionalInterface
    private interface ErrorText<T> {
        String read(T body) throws IOException;
    }

    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler,
            ErrorText<T> errorText, Function<String, ErrorBody> errorBody) {
        long deadline = System.nanoTime() + settings.budget().toNanos();
        for (int attempt = 0;; attempt++) {
            CodeException failure;
            Duration asked = null;
            Boolean should = null;
            try {
                HttpResponse<T> response = traced(request, handler);
                int status = response.statusCode();
                if (status >= 200 && status < 300) {
                    return response;
                }
                String body = errorText.read(response.body());
                ErrorBody said;
                try {
                    said = errorBody.apply(body);
                } catch (RuntimeException unreadable) {
                    said = new ErrorBody(null, null, null);
                }
                asked = said.retryAfter() != null
                        ? said.retryAfter()
                        : RetryHeaders.retryAfter(response.headers(),
                                clock);
                should = RetryHeaders.shouldRetry(response.headers());
                String message = said.message();
                if (message == null || message.isBlank()) {
                    message = body.isBlank() ? "(no message)" : abbreviate(body);
                }
                int mapAs = said.mapAs() == null ? status : said.mapAs();
                failure = HttpErrors.map(provider, status, mapAs, message, requestId(response.headers()), asked);
                if (should == null && !HttpErrors.retriable(mapAs)) {
                    throw failure;
                }
            } catch (HttpTimeoutException e) {
                failure = new DeadlineExceededException(provider + " did not answer in time", null, e);
            } catch (IOException e) {
                failure = new UnavailableException("network error talking to " + provider + ": " + e.getClass()
                        .getSimpleName(), null, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DeadlineExceededException("interrupted while calling " + provider, null, e);
            }
            if (Boolean.FALSE.equals(should) || attempt >= settings.maxRetries()) {
                throw failure;
            }
            Duration wait = asked != null && asked.compareTo(settings.maxBackoff()) <= 0 ? asked : backoff(attempt);
            if (System.nanoTime() + wait.toNanos() >= deadline) {
                throw failure;
            }
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure instanceof RetriableException
                        ? failure
                        : new DeadlineExceededException("interrupted while calling " + provider, null, e);
            }
        }
    }

    /**
     * Sends one attempt; under a {@link CallTracer} (the engine binds one around each expert call) it is measured as
     * {@code code.provider.http.requests} and carries the trace headers ({@code traceparent}) of its span.
     */
    private <T> HttpResponse<T> traced(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException,
            InterruptedException {
        CallTracer tracer = CallTracer.CURRENT.isBound() ? CallTracer.CURRENT.get() : null;
        if (tracer == null) {
            return client.send(request, handler);
        }
        HttpRequest.Builder traced = HttpRequest.newBuilder(request, (name, value) -> true);
        CallTracer.Call call = tracer.outgoing("code.provider.http.requests", Map.of("provider", provider, "method",
                request.method()), traced::setHeader);
        try {
            HttpResponse<T> response = client.send(traced.build(), handler);
            call.end(outcome(response.statusCode()), null);
            return response;
        } catch (IOException | InterruptedException | RuntimeException e) {
            call.end(e instanceof HttpTimeoutException ? "timeout" : "io_error", e);
            throw e;
        }
    }

    /** {@return the outcome tag of an HTTP status: {@code success}, {@code rate_limited}, {@code client_error}…} */
    static String outcome(int status) {
        if (status >= 200 && status < 300) {
            return "success";
        }
        if (status == 429) {
            return "rate_limited";
        }
        return status >= 500 ? "server_error" : status >= 400 ? "client_error" : "other";
    }

    /**
     * {@return the provider's request id from the usual headers, or null}
     *
     * @param headers a response's headers
     */
    public static @Nullable String requestId(HttpHeaders headers) {
        for (String name : REQUEST_ID_HEADERS) {
            var value = headers.firstValue(name);
            if (value.isPresent() && !value.get().isBlank()) {
                return value.get().strip();
            }
        }
        return null;
    }

    private Duration backoff(int attempt) {
        double base = Math.min(settings.maxBackoff().toNanos(), settings.initialBackoff().toNanos() * Math.pow(2,
                attempt));
        return Duration.ofNanos((long) (base * (1 - 0.25 * ThreadLocalRandom.current().nextDouble())));
    }

    private static String drain(InputStream body) throws IOException {
        try (body) {
            return new String(body.readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8);
        }
    }

    private static String abbreviate(String body) {
        String oneLine = body.strip().replaceAll("\\s+", " ");
        return oneLine.length() <= 300 ? oneLine : oneLine.substring(0, 300) + "...";
    }
}
