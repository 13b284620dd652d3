package org.codeengine.plugin.docker;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Map;
import org.codeengine.api.InvalidRequestException;
import org.jspecify.annotations.Nullable;

/**
 * Where a Docker daemon listens: {@code unix:///path/to/docker.sock} or {@code tcp://host:port}, as {@code DOCKER_HOST}
 * spells it. TLS ({@code DOCKER_TLS_VERIFY}) is refused with a message rather than silently ignored.
 *
 * @param address the address as the user wrote it, normalised: {@code unix:///var/run/docker.sock}
 * @param socket the unix socket, or {@code null} for TCP
 * @param tcp the TCP address, or {@code null} for a unix socket
 */
record DockerHost(String address, @Nullable Path socket, @Nullable InetSocketAddress tcp) {
    /** The socket a daemon listens on when nothing else is said. */
    static final String DEFAULT = "unix:///var/run/docker.sock";

    /**
     * @param setting the service's {@code host} setting, or {@code null} for {@code DOCKER_HOST} or the default
     * @param env the environment ({@code DOCKER_HOST}, {@code DOCKER_TLS_VERIFY})
     * @throws InvalidRequestException naming the setting or variable if the address is not one this executor speaks
     */
    static DockerHost of(@Nullable String setting, Map<String, String> env) {
        String where = setting != null ? "setting 'host'" : "DOCKER_HOST";
        String address = setting != null ? setting.strip() : env.getOrDefault("DOCKER_HOST", DEFAULT).strip();
        if (address.isEmpty()) {
            address = DEFAULT;
        }
        String tls = env.getOrDefault("DOCKER_TLS_VERIFY", "");
        if (!tls.isEmpty() && !tls.equals("0") && address.startsWith("tcp://")) {
            throw new InvalidRequestException("DOCKER_TLS_VERIFY is set, but the docker executor does not speak TLS to"
                    + " the daemon yet; reach it over its unix socket or an SSH tunnel to one", null);
        }
        if (address.startsWith("unix://")) {
            String path = address.substring("unix://".length());
            if (!path.startsWith("/")) {
                throw invalid(where, address);
            }
            return new DockerHost("unix://" + path, Path.of(path), null);
        }
        if (address.startsWith("tcp://")) {
            try {
                URI uri = new URI("http://" + address.substring("tcp://".length()));
                if (uri.getHost() == null || uri.getPort() < 0 || !(uri.getPath() == null || uri.getPath().isEmpty()
                        || uri.getPath().equals("/"))) {
                    throw invalid(where, address);
                }
                return new DockerHost("tcp://" + uri.getHost() + ":" + uri.getPort(), null, InetSocketAddress
                        .createUnresolved(uri.getHost(), uri.getPort()));
            } catch (java.net.URISyntaxException e) {
                throw invalid(where, address);
            }
        }
        throw invalid(where, address);
    }

    private static InvalidRequestException invalid(String where, String address) {
        return new InvalidRequestException(where + " must be unix:///path/to/docker.sock or tcp://host:port but was '"
                + address + "'", null);
    }

    /** @return a connected channel to the daemon, in blocking mode */
    SocketChannel connect() throws IOException {
        if (socket != null) {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
                return channel;
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        }
        InetSocketAddress to = java.util.Objects.requireNonNull(tcp);
        return SocketChannel.open(new InetSocketAddress(to.getHostString(), to.getPort()));
    }

    @Override
    public String toString() {
        return address;
    }
}
