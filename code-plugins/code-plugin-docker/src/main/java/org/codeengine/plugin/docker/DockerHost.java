package org.codeengine.plugin.docker;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Map;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.codeengine.api.InvalidRequestException;
import org.jspecify.annotations.Nullable;

/**
 * Where a Docker daemon listens: {@code unix:///path/to/docker.sock} or {@code tcp://host:port}, as {@code DOCKER_HOST}
 * spells it. With {@code DOCKER_TLS_VERIFY}, a TCP daemon is spoken to over TLS with the files of
 * {@code DOCKER_CERT_PATH} ({@link DaemonTls}), as the Docker CLI does.
 *
 * @param address the address as the user wrote it, normalised: {@code unix:///var/run/docker.sock}
 * @param socket the unix socket, or {@code null} for TCP
 * @param tcp the TCP address, or {@code null} for a unix socket
 * @param tls how TLS is spoken to a TCP daemon, or {@code null} for plain TCP (and always for a unix socket)
 */
record DockerHost(String address, @Nullable Path socket, @Nullable InetSocketAddress tcp, @Nullable DaemonTls tls) {
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
        if (address.startsWith("unix://")) {
            String path = address.substring("unix://".length());
            if (!path.startsWith("/")) {
                throw invalid(where, address);
            }
            return new DockerHost("unix://" + path, Path.of(path), null, null);
        }
        if (address.startsWith("tcp://")) {
            try {
                URI uri = new URI("http://" + address.substring("tcp://".length()));
                if (uri.getHost() == null || uri.getPort() < 0 || !(uri.getPath() == null || uri.getPath().isEmpty()
                        || uri.getPath().equals("/"))) {
                    throw invalid(where, address);
                }
                return new DockerHost("tcp://" + uri.getHost() + ":" + uri.getPort(), null, InetSocketAddress
                        .createUnresolved(uri.getHost(), uri.getPort()), DaemonTls.of(env));
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

    /** An open connection to the daemon: its two streams, and a close that also ends a read blocked on it. */
    record Connection(InputStream in, OutputStream out, Closeable closer) implements Closeable {
        @Override
        public void close() throws IOException {
            closer.close();
        }
    }

    /** {@return a connection to the daemon, over TLS when {@link #tls()} says so} */
    Connection connect() throws IOException {
        if (socket != null) {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
                return new Connection(Channels.newInputStream(channel), Channels.newOutputStream(channel), channel);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        }
        InetSocketAddress to = java.util.Objects.requireNonNull(tcp);
        if (tls == null) {
            SocketChannel channel = SocketChannel.open(new InetSocketAddress(to.getHostString(), to.getPort()));
            return new Connection(Channels.newInputStream(channel), Channels.newOutputStream(channel), channel);
        }
        SSLSocket tlsSocket = (SSLSocket) tls.context().getSocketFactory().createSocket(to.getHostString(), to
                .getPort());
        try {
            SSLParameters parameters = tlsSocket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
            tlsSocket.setSSLParameters(parameters);
            tlsSocket.startHandshake();
            return new Connection(tlsSocket.getInputStream(), tlsSocket.getOutputStream(), tlsSocket);
        } catch (IOException | RuntimeException e) {
            tlsSocket.close();
            throw e;
        }
    }

    @Override
    public String toString() {
        return tls == null ? address : address + " (TLS)";
    }
}
