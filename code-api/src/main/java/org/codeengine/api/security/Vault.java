package org.codeengine.api.security;

import java.util.List;
import java.util.Optional;
import org.codeengine.api.Secret;

/**
 * Secrets kept encrypted in the store: AES-256-GCM under data keys that are themselves wrapped by the master key the
 * host gives. Thread-safe.
 */
public interface Vault {
    /**
     * Stores or replaces a secret.
     *
     * @param name the secret's name
     * @param value the secret
     */
    void put(String name, Secret value);

    /**
     * {@return the secret, if the vault holds one by that name}
     *
     * @param name the secret's name
     */
    Optional<Secret> get(String name);

    /**
     * Deletes a secret.
     *
     * @param name the secret's name
     */
    void delete(String name);

    /** {@return the names of the secrets, sorted} */
    List<String> names();

    /**
     * {@return the secret it names}
     *
     * @param ref {@code vault:name}, {@code secret://name} or {@code env:NAME}
     * @throws org.codeengine.api.NotFoundException if there is none
     */
    Secret resolve(SecretRef ref);

    /** Starts a new data key for new writes and re-encrypts every secret with it. */
    void rotateDataKey();

    /**
     * Re-wraps every data key under a new master key (32 bytes); the secrets themselves are not touched.
     *
     * @param newMasterKey the master key from now on, 32 bytes
     */
    void rotateMasterKey(Secret newMasterKey);
}
