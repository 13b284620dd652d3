package org.codeengine.plugin.tools.http;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;
import org.codeengine.plugin.support.ToolKit;
import org.jspecify.annotations.Nullable;

/**
 * A URL taken apart the way a fetch uses it. The host is read from the raw authority, not from {@link URI#getHost()}
 * (which gives up on hosts such as {@code 0x7f.1}), and a host made of numbers is read as an IPv4 address the way
 * {@code inet_aton} reads it ({@code 2130706433}, {@code 0x7f.1}, {@code 0177.0.0.1} are all 127.0.0.1), so such a
 * host is judged as the address any resolver would make of it and never sent to DNS.
 *
 * @param uri the URL
 * @param https whether it is https
 * @param host the host as written, without brackets
 * @param literal the address when the host is an address literal, else {@code null}
 * @param port the port
 * @param requestTarget the path and query to request
 */
record Target(URI uri, boolean https, String host, @Nullable InetAddress literal, int port, String requestTarget) {
    private static final Pattern NUMERIC = Pattern
            .compile("(?i)(0x[0-9a-f]*|[0-9]+)(\\.(0x[0-9a-f]*|[0-9]+)){0,3}\\.?");

    /**
     * @param text the URL
     * @param argument the argument's name, for messages
     * @throws ToolKit.ToolFailure naming the argument and the rule if it is not an http or https URL with a host
     */
    static Target parse(String text, String argument) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw ToolKit.fail("argument '" + argument + "' must be an absolute http or https URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw ToolKit.fail("argument '" + argument + "' must be an http or https URL but was '" + text + "'");
        }
        String authority = uri.getRawAuthority();
        if (authority == null || authority.isEmpty()) {
            throw ToolKit.fail("argument '" + argument + "' must name a host but was '" + text + "'");
        }
        if (authority.contains("@")) {
            throw ToolKit.fail("argument '" + argument + "' must not carry user information before the host");
        }
        String host;
        String port = "";
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw ToolKit.fail("argument '" + argument + "' has an unclosed IPv6 address");
            }
            host = authority.substring(1, close);
            String rest = authority.substring(close + 1);
            if (!rest.isEmpty() && !rest.startsWith(":")) {
                throw ToolKit.fail("argument '" + argument + "' has text after its IPv6 address");
            }
            port = rest.isEmpty() ? "" : rest.substring(1);
        } else {
            int colon = authority.lastIndexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
            port = colon < 0 ? "" : authority.substring(colon + 1);
        }
        int number = scheme.equals("https") ? 443 : 80;
        if (!port.isEmpty()) {
            try {
                number = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                number = -1;
            }
            if (number < 1 || number > 65535) {
                throw ToolKit.fail("argument '" + argument + "' has port '" + port + "', which must be 1 to 65535");
            }
        }
        if (host.isEmpty() || host.contains("%")) {
            throw ToolKit.fail("argument '" + argument + "' must name a host without percent-encoding or zone ids");
        }
        InetAddress literal = null;
        if (authority.startsWith("[")) {
            try {
                literal = InetAddress.ofLiteral(host);
            } catch (IllegalArgumentException e) {
                throw ToolKit.fail("argument '" + argument + "' holds '" + host + "', which is not an IPv6 address");
            }
        } else if (NUMERIC.matcher(host).matches()) {
            try {
                literal = Inet4Address.ofPosixLiteral(host.endsWith(".")
                        ? host.substring(0, host.length() - 1)
                        : host);
            } catch (IllegalArgumentException e) {
                throw ToolKit.fail("argument '" + argument + "' holds host '" + host
                        + "', which is made of numbers but is not an IPv4 address");
            }
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String target = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        return new Target(uri, scheme.equals("https"), host.toLowerCase(Locale.ROOT), literal, number, target);
    }

    /** {@return the Host header's value} */
    String hostHeader() {
        String name = literal != null && host.contains(":") ? "[" + host + "]" : host;
        return port == (https ? 443 : 80) ? name : name + ":" + port;
    }

    /** {@return whether another URL has the same scheme, host and port} */
    boolean sameOrigin(Target other) {
        return https == other.https && host.equals(other.host) && port == other.port;
    }
}
