package org.codeengine.plugin.tools.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.codeengine.plugin.support.ToolKit;
import org.jspecify.annotations.Nullable;

/**
 * Fetches a URL safely: each hop's host is resolved once, every address it resolved to is checked against the policy,
 * and the connection goes to the checked address (TLS names the host for SNI and certificate checks), so a name that
 * resolves differently a moment later (DNS rebinding) changes nothing. Redirects are followed hop by hop, each checked
 * like the first.
 */
final class Fetcher {
    /** Turns a host name into addresses; tests replace it so that no name is ever looked up for real. */
    @FunctionalInterface
    interface Resolver {
        List<InetAddress> resolve(String host) throws UnknownHostException;
    }

    /** Opens a connection to a checked address; tests replace it to see every connection attempted. */
    @FunctionalInterface
    interface Connector {
        Socket connect(InetSocketAddress address, int timeoutMillis) throws IOException;
    }

    static final Resolver SYSTEM = host -> List.of(InetAddress.getAllByName(host));
    static final Connector SOCKETS = (address, timeout) -> {
        Socket socket = new Socket();
        try {
            socket.connect(address, timeout);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    };

    /**
     * @param url where the body finally came from
     * @param status the final status code
     * @param contentType the final Content-Type, or empty
     * @param body the body, at most the cap
     * @param truncated whether the cap cut it short
     * @param charset the body's character set
     */
    record Fetched(String url, int status, String contentType, byte[] body, boolean truncated, Charset charset) {}

    private final AddressPolicy policy;
    private final Resolver resolver;
    private final Connector connector;
    private final int maxRedirects;

    Fetcher(AddressPolicy policy, Resolver resolver, Connector connector, int maxRedirects) {
        this.policy = policy;
        this.resolver = resolver;
        this.connector = connector;
        this.maxRedirects = maxRedirects;
    }

    Fetched fetch(String url, String method, Map<String, String> headers, byte @Nullable [] body, long maxBytes,
            long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        Target target = Target.parse(url, "url");
        String verb = method;
        byte[] payload = body;
        Map<String, String> sent = new LinkedHashMap<>(headers);
        for (int hop = 0;; hop++) {
            InetAddress address = check(target, hop == 0 ? "url" : "redirect to " + target.uri());
            Exchange.Response response = exchange(address, target, verb, sent, payload, maxBytes, deadline);
            String location = response.headers().get("location");
            if (response.status() / 100 != 3 || response.status() == 304 || location == null) {
                String type = response.headers().getOrDefault("content-type", "");
                return new Fetched(target.uri().toString(), response.status(), type, response.body(), response
                        .truncated(), charset(type));
            }
            if (hop >= maxRedirects) {
                throw ToolKit.fail("url redirected more than " + maxRedirects + " times (setting tools.http"
                        + ".max-redirects)");
            }
            Target next = Target.parse(target.uri().resolve(location.strip()).toString(), "url (redirect from "
                    + target.uri() + ")");
            if (!next.sameOrigin(target)) {
                sent.keySet().removeIf(name -> name.equalsIgnoreCase("authorization") || name.equalsIgnoreCase(
                        "cookie"));
            }
            if (response.status() == 303 || (response.status() == 301 || response.status() == 302) && !verb.equals(
                    "GET")) {
                verb = "GET";
                payload = null;
                sent.keySet().removeIf(name -> name.equalsIgnoreCase("content-type"));
            }
            target = next;
        }
    }

    /** {@return the one address to connect to, every address of the host having passed the policy} */
    InetAddress check(Target target, String what) {
        String name = target.host().replaceAll("\\.+$", "");
        if (name.equals("localhost") || name.endsWith(".localhost")) {
            throw ToolKit.fail(what + " names " + target.host() + ", a loopback name, which http_fetch refuses"
                    + " unless the setting tools.http.allow lists its address");
        }
        List<InetAddress> addresses;
        if (target.literal() != null) {
            addresses = List.of(target.literal());
        } else {
            try {
                addresses = new ArrayList<>(resolver.resolve(target.host()));
            } catch (UnknownHostException e) {
                throw ToolKit.fail(what + " names host " + target.host() + ", which does not resolve");
            }
            if (addresses.isEmpty()) {
                throw ToolKit.fail(what + " names host " + target.host() + ", which resolves to no address");
            }
        }
        for (InetAddress address : addresses) {
            Optional<String> refusal = policy.refusal(address);
            if (refusal.isPresent()) {
                throw ToolKit.fail(what + " was refused: " + (target.literal() == null
                        ? target.host() + " resolves to "
                        : "") + refusal.get());
            }
        }
        return addresses.getFirst();
    }

    private Exchange.Response exchange(InetAddress address, Target target, String method,
            Map<String, String> headers, byte @Nullable [] body, long maxBytes, long deadline) {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            throw ToolKit.fail("url did not answer within the time cap (setting"
                    + " tools.http.timeout-ms)");
        }
        Socket socket = null;
        try {
            socket = connector.connect(new InetSocketAddress(address, target.port()), (int) Math.min(left,
                    Integer.MAX_VALUE));
            if (target.https()) {
                SSLSocket tls = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault()).createSocket(socket,
                        target.host(), target.port(), true);
                SSLParameters parameters = tls.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                tls.setSSLParameters(parameters);
                socket = tls;
            }
            Exchange.send(socket, method, target, headers, body);
            return Exchange.receive(socket, maxBytes, deadline);
        } catch (IOException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw ToolKit.fail("url " + target.uri() + " could not be fetched: " + why);
        } finally {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // closing after the answer was read: nothing is lost
                }
            }
        }
    }

    private static Charset charset(String contentType) {
        for (String part : contentType.split(";")) {
            String p = part.strip();
            if (p.toLowerCase(Locale.ROOT).startsWith("charset=")) {
                try {
                    return Charset.forName(p.substring(8).replace("\"", "").strip());
                } catch (RuntimeException e) {
                    return StandardCharsets.UTF_8;
                }
            }
        }
        return StandardCharsets.UTF_8;
    }
}
