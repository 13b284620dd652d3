package org.codeengine.plugin.docker;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.codeengine.api.InvalidRequestException;

/**
 * TLS to a daemon on TCP as the Docker CLI speaks it with {@code DOCKER_TLS_VERIFY}: the daemon's certificate is checked
 * against {@code ca.pem} and its host name, and the client shows {@code cert.pem} with {@code key.pem}, all three in
 * {@code DOCKER_CERT_PATH} (else {@code ~/.docker}). The key may be PKCS#8 ({@code BEGIN PRIVATE KEY}, what OpenSSL 3
 * writes) or PKCS#1 RSA ({@code BEGIN RSA PRIVATE KEY}). Contexts are kept per folder until a file in it changes.
 *
 * @param folder where {@code ca.pem}, {@code cert.pem} and {@code key.pem} are
 */
record DaemonTls(Path folder) {
    static final List<String> FILES = List.of("ca.pem", "cert.pem", "key.pem");
    private static final Pattern PEM = Pattern
            .compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
    private static final Map<Path, Loaded> CONTEXTS = new ConcurrentHashMap<>();

    private record Loaded(long stamp, SSLContext context) {}

    /**
     * {@return the daemon's TLS settings, or {@code null} when {@code DOCKER_TLS_VERIFY} is unset, empty or {@code 0}}
     *
     * @param env {@code DOCKER_TLS_VERIFY}, {@code DOCKER_CERT_PATH}, {@code HOME}
     * @throws InvalidRequestException naming the variable and the file, if a file is missing
     */
    static @org.jspecify.annotations.Nullable DaemonTls of(Map<String, String> env) {
        String verify = env.getOrDefault("DOCKER_TLS_VERIFY", "").strip();
        if (verify.isEmpty() || verify.equals("0")) {
            return null;
        }
        String given = env.getOrDefault("DOCKER_CERT_PATH", "").strip();
        Path folder = given.isEmpty()
                ? Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".docker")
                : Path.of(given);
        for (String file : FILES) {
            if (!Files.isReadable(folder.resolve(file))) {
                throw new InvalidRequestException("DOCKER_TLS_VERIFY is set, so the daemon is reached over TLS, but "
                        + folder.resolve(file) + " is missing or unreadable: put ca.pem, cert.pem and key.pem in "
                        + (given.isEmpty() ? "~/.docker or set DOCKER_CERT_PATH" : "DOCKER_CERT_PATH"), null);
            }
        }
        return new DaemonTls(folder.toAbsolutePath().normalize());
    }

    /** {@return the context for this folder, read again when one of its files changed} */
    SSLContext context() throws IOException {
        long stamp = 0;
        for (String file : FILES) {
            stamp = stamp * 31 + Files.getLastModifiedTime(folder.resolve(file)).toMillis();
        }
        Loaded loaded = CONTEXTS.get(folder);
        if (loaded == null || loaded.stamp() != stamp) {
            loaded = new Loaded(stamp, load());
            CONTEXTS.put(folder, loaded);
        }
        return loaded.context();
    }

    private SSLContext load() throws IOException {
        try {
            CertificateFactory x509 = CertificateFactory.getInstance("X.509");
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int n = 0;
            for (Certificate ca : x509.generateCertificates(new ByteArrayInputStream(Files.readAllBytes(folder
                    .resolve("ca.pem"))))) {
                trust.setCertificateEntry("ca" + n++, ca);
            }
            Certificate[] chain = x509.generateCertificates(new ByteArrayInputStream(Files.readAllBytes(folder
                    .resolve("cert.pem")))).toArray(Certificate[]::new);
            KeyStore keys = KeyStore.getInstance(KeyStore.getDefaultType());
            keys.load(null, null);
            keys.setKeyEntry("client", privateKey(Files.readString(folder.resolve("key.pem"),
                    StandardCharsets.US_ASCII)), new char[0], chain);
            TrustManagerFactory trusts = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trusts.init(trust);
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, new char[0]);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), trusts.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new InvalidRequestException("the TLS files in " + folder + " cannot be used: " + e.getMessage(),
                    null);
        }
    }

    /** Reads a PKCS#8 or PKCS#1 RSA private key in PEM; the key itself is never put in a message. */
    static PrivateKey privateKey(String pem) throws GeneralSecurityException {
        Matcher m = PEM.matcher(pem);
        while (m.find()) {
            byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            switch (m.group(1)) {
                case "PRIVATE KEY" -> {
                    for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
                        try {
                            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
                        } catch (GeneralSecurityException e) {
                            // another algorithm
                        }
                    }
                    throw new GeneralSecurityException("key.pem holds a PKCS#8 key of an algorithm other than RSA,"
                            + " EC or Ed25519");
                }
                case "RSA PRIVATE KEY" -> {
                    return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(rsaPkcs8(der)));
                }
                case "EC PRIVATE KEY" -> throw new GeneralSecurityException("key.pem holds a SEC1 EC key: convert it"
                        + " with openssl pkcs8 -topk8 -nocrypt");
                default -> {
                    // a block such as EC PARAMETERS before the key
                }
            }
        }
        throw new GeneralSecurityException("key.pem holds no unencrypted private key in PEM");
    }

    /** Wraps a PKCS#1 RSA key in PKCS#8: SEQUENCE { 0, SEQUENCE { rsaEncryption, NULL }, OCTET STRING key }. */
    private static byte[] rsaPkcs8(byte[] pkcs1) {
        byte[] version = {0x02, 0x01, 0x00};
        byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01,
                0x01, 0x05, 0x00};
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(version);
        body.writeBytes(algorithm);
        body.writeBytes(der(0x04, pkcs1));
        return der(0x30, body.toByteArray());
    }

    private static byte[] der(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = content.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }
}
