package org.codeengine.examples.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import org.codeengine.api.CodeHome;
import org.codeengine.api.Secret;

/**
 * The keys the app keeps in its home folder, made on first use and readable by the owner only: the Ed25519 key pair
 * that signs audit checkpoints ({@code keys/audit-ed25519}, so a later run verifies the checkpoints of an earlier one)
 * and the vault's master key ({@code keys/master.key}; {@code CODE_MASTER_KEY} overrides it). Hosts sharing one
 * PostgreSQL store share these files too.
 */
final class HomeKeys {
    private HomeKeys() {}

    /**
     * @param home the home folder
     * @return the audit signing key pair, made now if there is none
     * @throws CliException if the file cannot be read or written, or holds no Ed25519 key pair
     */
    static KeyPair auditKey(Path home) {
        Path file = home.resolve("keys/audit-ed25519");
        try {
            if (!Files.exists(file)) {
                KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
                Base64.Encoder b64 = Base64.getEncoder();
                writeOwnerOnly(file, "private " + b64.encodeToString(pair.getPrivate().getEncoded()) + "\npublic "
                        + b64.encodeToString(pair.getPublic().getEncoded()) + "\n");
            }
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.size() < 2 || !lines.get(0).startsWith("private ") || !lines.get(1).startsWith("public ")) {
                throw CliException.failure(file + " does not hold an audit key pair",
                        "restore it from a backup; without it earlier checkpoints cannot be verified");
            }
            KeyFactory factory = KeyFactory.getInstance("Ed25519");
            Base64.Decoder b64 = Base64.getDecoder();
            return new KeyPair(factory.generatePublic(new X509EncodedKeySpec(b64.decode(lines.get(1).substring(7)
                    .strip()))), factory.generatePrivate(new PKCS8EncodedKeySpec(b64.decode(
                            lines.get(0).substring(8)
                                    .strip()))));
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw CliException.failure("cannot use the audit key " + file + ": " + e.getMessage(),
                    "check the home folder's permissions, or restore the file from a backup");
        }
    }

    /**
     * @param home the home folder
     * @param fromEnv the master key from the environment, or null
     * @return the vault master key: the given one, else the home folder's, made now if there is none
     * @throws CliException if the file cannot be read or written
     */
    static Secret masterKey(Path home, @org.jspecify.annotations.Nullable String fromEnv) {
        if (fromEnv != null) {
            return Secret.of(fromEnv);
        }
        Path file = home.resolve("keys/master.key");
        try {
            if (!Files.exists(file)) {
                byte[] key = new byte[32];
                new SecureRandom().nextBytes(key);
                writeOwnerOnly(file, Base64.getEncoder().encodeToString(key) + "\n");
            }
            return Secret.of(Files.readString(file, StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            throw CliException.failure("cannot use the vault master key " + file + ": " + e.getMessage(),
                    "check the home folder's permissions, or set CODE_MASTER_KEY");
        }
    }

    private static void writeOwnerOnly(Path file, String text) throws IOException {
        CodeHome.createOwnerOnly(file.getParent()); // the home folder too, when this makes it
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp);
        }
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        try {
            Files.move(tmp, file); // no replace: two processes making the key at once keep the first
        } catch (FileAlreadyExistsException e) {
            Files.delete(tmp);
        }
    }
}
