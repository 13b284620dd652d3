package org.codeengine.core.internal.executors;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.spi.HealthProbe;
import org.codeengine.api.spi.ProbeResult;
import org.jspecify.annotations.Nullable;

/**
 * Healthy when a GET of {@code url} answers with a status in {@code status} ({@code 200-399} by default; one code or
 * a range) and, if {@code body} is set, a body (its first 64 KiB) that contains that text.
 */
public final class HttpProbe implements HealthProbe {
    private static final Set<String> KEYS = Set.of("url", "status", "body");
    private static final int MAX_BODY = 64 * 1024;

    /**
     * Built on the first probe: building one sets up TLS, which loads the security providers (Bouncy Castle's among
     * them, hundreds of classes), and every engine and plugin survey makes this probe whether a plan probes over HTTP or
     * not.
     */
    private volatile @Nullable HttpClient client;

    private HttpClient client() {
        HttpClient built = client;
        if (built == null) {
            synchronized (this) {
                built = client;
                if (built == null) {
                    built = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration
                            .ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();
                    client = built;
                }
            }
        }
        return built;
    }

    @Override
    public String name() {
        return "http";
    }

    @Override
    public String apiVersion() {
        return ApiVersion.CURRENT;
    }

    @Override
    public void validate(Map<String, String> settings) {
        Settings.onlyKnown(settings, KEYS, Set.of());
        uri(Settings.required(settings, "url"));
        statuses(settings);
    }

    @Override
    public ProbeResult probe(Map<String, String> settings, Duration timeout) {
        URI uri = uri(Settings.required(settings, "url"));
        int[] range = statuses(settings);
        String body = settings.get("body");
        long began = System.nanoTime();
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
        try {
            HttpResponse<InputStream> response = client().send(request, HttpResponse.BodyHandlers.ofInputStream());
            int status = response.statusCode();
            String text;
            try (InputStream in = response.body()) {
                text = body == null ? "" : new String(in.readNBytes(MAX_BODY), StandardCharsets.UTF_8);
            }
            boolean statusOk = status >= range[0] && status <= range[1];
            boolean bodyOk = body == null || text.contains(body);
            String detail = "HTTP " + status + (statusOk && !bodyOk ? ", body without '" + body + "'" : "");
            return new ProbeResult(statusOk && bodyOk, detail, took(began));
        } catch (IOException e) {
            return new ProbeResult(false, e.getClass().getSimpleName() + (e.getMessage() == null
                    ? ""
                    : ": " + e.getMessage()), took(began));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ProbeResult(false, "interrupted", took(began));
        }
    }

    static Duration took(long beganNanos) {
        return Duration.ofNanos(System.nanoTime() - beganNanos);
    }

    private static URI uri(String text) {
        try {
            URI uri = new URI(text);
            if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())
                    || uri.getHost() == null) {
                throw new InvalidRequestException("setting 'url' must be an http or https URL with a host but was '"
                        + text + "'", null);
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new InvalidRequestException("setting 'url' is not a URL: " + e.getMessage(), null);
        }
    }

    private static int[] statuses(Map<String, String> settings) {
        String text = settings.getOrDefault("status", "200-399").strip();
        String[] parts = text.split("-", -1);
        try {
            int low = Integer.parseInt(parts[0].strip());
            int high = parts.length == 2 ? Integer.parseInt(parts[1].strip()) : low;
            if (parts.length <= 2 && low >= 100 && high <= 599 && low <= high) {
                return new int[]{low, high};
            }
        } catch (NumberFormatException e) {
            // the message below says what is wanted
        }
        throw new InvalidRequestException("setting 'status' must be a status code like 200 or a range like 200-299"
                + " but was '" + text + "'", null);
    }
}
