package org.codeengine.plugin.tools.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.codeengine.api.spi.ToolContext;
import org.codeengine.api.spi.ToolProvider;
import org.codeengine.api.spi.ToolSettings;
import org.codeengine.api.tools.ToolAnnotations;
import org.codeengine.api.tools.ToolDescriptor;
import org.codeengine.api.tools.ToolResult;
import org.codeengine.plugin.support.CatalogueTools;
import org.codeengine.plugin.support.JsonBodies;
import org.codeengine.plugin.support.ToolKit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code http} tool provider: {@code http_fetch} gets or posts to a URL and returns its text (HTML reduced to
 * readable text), with a byte cap, a time cap and a redirect cap. It refuses loopback, private, link-local,
 * unique-local and cloud metadata addresses unless the setting {@code allow} lists them, connects to the very address
 * it checked, and checks every redirect again.
 *
 * <p>Settings ({@code tools.http}): {@code allow} (addresses or CIDR blocks that may be reached although special),
 * {@code timeout-ms} (10000), {@code max-bytes} (1 MiB of body), {@code max-redirects} (5).
 */
public final class HttpToolProvider extends CatalogueTools {
    static final String WHERE = "tools.http";
    private static final Set<String> RESERVED_HEADERS = Set.of("host", "content-length", "transfer-encoding",
            "connection", "upgrade", "te", "trailer", "keep-alive", "proxy-connection", "accept-encoding");

    private final Fetcher.Resolver resolver;
    private final Fetcher.Connector connector;
    private final Fetcher fetcher;
    private final long timeoutMillis;
    private final long maxBytes;

    /** The provider as ServiceLoader makes it: it refuses every special address until configured. */
    public HttpToolProvider() {
        this(Fetcher.SYSTEM, Fetcher.SOCKETS);
    }

    HttpToolProvider(Fetcher.Resolver resolver, Fetcher.Connector connector) {
        this(resolver, connector, AddressPolicy.allowing(List.of(), WHERE + ".allow"), 10_000, 1 << 20, 5);
    }

    private HttpToolProvider(Fetcher.Resolver resolver, Fetcher.Connector connector, AddressPolicy policy,
            long timeoutMillis, long maxBytes, int maxRedirects) {
        super("http");
        this.resolver = resolver;
        this.connector = connector;
        this.fetcher = new Fetcher(policy, resolver, connector, maxRedirects);
        this.timeoutMillis = timeoutMillis;
        this.maxBytes = maxBytes;
    }

    @Override
    public ToolProvider configured(ToolSettings settings) {
        JsonNode s = settings.settings();
        return new HttpToolProvider(resolver, connector, AddressPolicy.allowing(ToolKit.settingList(s, WHERE,
                "allow"), WHERE + ".allow"), ToolKit.setting(s, WHERE, "timeout-ms", 10_000, 100, 300_000), ToolKit
                        .setting(s, WHERE, "max-bytes", 1 << 20, 1, 64L << 20),
                (int) ToolKit.setting(s, WHERE,
                        "max-redirects", 5, 0, 20));
    }

    @Override
    public List<ToolDescriptor> tools() {
        ToolKit.Schema input = ToolKit.schema().string("url", "The http or https URL to fetch", true);
        input.property("method", "string", "GET (default) or POST", false).putArray("enum").add("GET").add("POST");
        input.property("headers", "object", "Request headers (not Host, Content-Length, Connection and the like)",
                false).putObject("additionalProperties").put("type", "string");
        input.string("body", "The request body of a POST", false).string("content_type",
                "The body's Content-Type (default text/plain; charset=utf-8)", false).integer("max_length",
                        "Characters of content to return (default 5000)", 1, 1_000_000)
                .integer("start_index",
                        "Character to start the content at, to read on where a previous call stopped", 0,
                        Integer.MAX_VALUE)
                .flag("raw", "Return HTML as it is instead of its text");
        ObjectNode output = ToolKit.schema().string("url", "Where the content finally came from", true).integer(
                "status", "The HTTP status", 100, 599).string("content_type", "The Content-Type", true).string(
                        "content", "The content (HTML reduced to text unless raw)", true)
                .integer("length",
                        "Characters of content in all", 0, Integer.MAX_VALUE)
                .integer("next_start_index",
                        "Where to start the next call to read on, when more is left", 0,
                        Integer.MAX_VALUE)
                .flag("truncated",
                        "Whether the body passed the byte cap and was cut")
                .require("status", "truncated")
                .build();
        return List.of(new ToolDescriptor("http_fetch", "Fetches a URL (GET or POST) and returns its content, HTML as"
                + " readable text. Loopback, private, link-local and metadata addresses are refused unless"
                + " allow-listed; every redirect is checked again.", input.build(), output,
                // a POST may change things at the far end, so it is not read-only; it deletes nothing of the host's
                new ToolAnnotations(false, false, false, true)));
    }

    @Override
    protected boolean configuredYet() {
        return true;
    }

    @Override
    protected ToolResult run(String tool, JsonNode arguments, ToolContext context) {
        return fetch(arguments);
    }

    private ToolResult fetch(JsonNode args) {
        String url = ToolKit.text(args, "url");
        String method = ToolKit.optionalText(args, "method");
        method = method == null ? "GET" : method.toUpperCase(Locale.ROOT);
        if (!method.equals("GET") && !method.equals("POST")) {
            throw ToolKit.fail("argument 'method' must be GET or POST but was '" + method + "'");
        }
        String body = ToolKit.optionalText(args, "body");
        if (body != null && method.equals("GET")) {
            throw ToolKit.fail("argument 'body' is only for method POST");
        }
        Map<String, String> headers = headers(args.path("headers"));
        if (method.equals("POST")) {
            String type = ToolKit.optionalText(args, "content_type");
            headers.put("Content-Type", header("content_type", type == null ? "text/plain; charset=utf-8" : type));
        }
        long maxLength = ToolKit.number(args, "max_length", 5000, 1, 1_000_000);
        long start = ToolKit.number(args, "start_index", 0, 0, Integer.MAX_VALUE);
        boolean raw = args.path("raw").asBoolean(false);
        Fetcher.Fetched fetched = fetcher.fetch(url, method, headers, method.equals("POST")
                ? (body == null
                        ? ""
                        : body).getBytes(StandardCharsets.UTF_8)
                : null, maxBytes, timeoutMillis);
        String text = new String(fetched.body(), fetched.charset());
        String type = fetched.contentType().toLowerCase(Locale.ROOT);
        if (!raw && (type.startsWith("text/html") || type.startsWith("application/xhtml"))) {
            text = HtmlText.extract(text);
        }
        int from = (int) Math.min(start, text.length());
        int to = (int) Math.min(text.length(), from + maxLength);
        ObjectNode out = JsonBodies.object().put("url", fetched.url()).put("status", fetched.status()).put(
                "content_type", fetched.contentType()).put("content", text.substring(from, to)).put("length", text
                        .length())
                .put("truncated", fetched.truncated());
        if (to < text.length()) {
            out.put("next_start_index", to);
        }
        ToolResult result = ToolKit.success(out);
        return fetched.status() >= 400
                ? new ToolResult("url " + fetched.url() + " answered HTTP " + fetched
                        .status() + "\n" + result.text(), out, true)
                : result;
    }

    private static Map<String, String> headers(JsonNode node) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (node.isMissingNode() || node.isNull()) {
            return headers;
        }
        if (!node.isObject()) {
            throw ToolKit.fail("argument 'headers' must be an object of header names to strings");
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String name = e.getKey();
            if (!name.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}")) {
                throw ToolKit.fail("argument 'headers' holds '" + name + "', which is not a header name");
            }
            if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                throw ToolKit.fail("argument 'headers' may not set " + name + "; http_fetch sets it itself");
            }
            if (!e.getValue().isString()) {
                throw ToolKit.fail("argument 'headers' must map " + name + " to a string");
            }
            headers.put(name, header("headers." + name, e.getValue().asString()));
        }
        return headers;
    }

    private static String header(String argument, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0 || c > 0xff) {
                throw ToolKit.fail("argument '" + argument + "' must not hold line breaks, NUL or characters past"
                        + " Latin-1");
            }
        }
        return value;
    }
}
