package org.codeengine.core.internal.security;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.crypto.Cipher;
import javax.crypto.KDF;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.HKDFParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.Secret;
import org.codeengine.api.StoreException;
import org.codeengine.api.security.SecretRef;
import org.codeengine.api.security.Vault;
import org.codeengine.core.internal.store.SecurityRepository;
import org.codeengine.core.internal.store.SecurityRepository.VaultKey;

/**
 * Envelope encryption: each secret is sealed with AES-256-GCM (a fresh 96-bit nonce each time, the secret's name as
 * associated data, so a sealed value moved to another name does not open) under a data key; data keys are sealed
 * under the master key the host gives, with their id as associated data. Rotating the master key re-wraps the data
 * keys only; rotating the data key re-seals the secrets.
 */
public final class DefaultVault implements Vault {
    private static final int NONCE = 12;
    private static final int TAG_BITS = 128;
    private final SecurityRepository store;
    private final SecureRandom random;
    private final Clock clock;
    private volatile SecretKey master;

    public DefaultVault(SecurityRepository store, SecretKey master, SecureRandom random, Clock clock) {
        this.store = store;
        this.master = master;
        this.random = random;
        this.clock = clock;
    }

    /** Derives a master key from a passphrase: Argon2id (OWASP cost) then HKDF-SHA256 with the purpose as info. */
    public static SecretKey masterFromPassphrase(char[] passphrase, byte[] salt) {
        byte[] stretched = Passwords.argon2id(new String(passphrase).getBytes(StandardCharsets.UTF_8), salt, null,
                null, Passwords.Cost.OWASP, 32);
        try {
            KDF hkdf = KDF.getInstance("HKDF-SHA256");
            return hkdf.deriveKey("AES", HKDFParameterSpec.ofExtract().addIKM(stretched).addSalt(salt).thenExpand(
                    "CODE vault master key v1".getBytes(StandardCharsets.UTF_8), 32));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HKDF-SHA256 is missing from this Java platform", e);
        }
    }

    /** {@return a master key from its base64 form (32 bytes)} */
    public static SecretKey masterKey(Secret base64) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64.reveal());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("the master key must be 32 bytes in base64", null);
        }
        if (bytes.length != 32) {
            throw new InvalidRequestException("the master key must be 32 bytes in base64 but has " + bytes.length
                    + " bytes", null);
        }
        return new SecretKeySpec(bytes, "AES");
    }

    @Override
    public void put(String name, Secret value) {
        checkName(name);
        VaultKey key = activeKey();
        SecretKey dataKey = unwrap(key, master);
        store.putSecret(name, key.keyId(), seal(dataKey, value.reveal().getBytes(StandardCharsets.UTF_8), name),
                clock.instant());
    }

    @Override
    public Optional<Secret> get(String name) {
        return store.secret(name).map(row -> {
            SecretKey dataKey = unwrap(keys().get(row.keyId()), master);
            return Secret.of(new String(open(dataKey, row.sealed(), name), StandardCharsets.UTF_8));
        });
    }

    @Override
    public void delete(String name) {
        store.deleteSecret(name);
    }

    @Override
    public List<String> names() {
        return store.secrets().stream().map(SecurityRepository.VaultSecret::name).toList();
    }

    @Override
    public Secret resolve(SecretRef ref) {
        if (ref.scheme().equals("env")) {
            String value = System.getenv(ref.name());
            if (value == null) {
                throw new NotFoundException("environment variable " + ref.name() + " is not set", null);
            }
            return Secret.of(value);
        }
        return get(ref.name()).orElseThrow(() -> new NotFoundException("the vault holds no secret named '" + ref
                .name() + "'", null));
    }

    @Override
    public synchronized void rotateDataKey() {
        VaultKey fresh = newDataKey();
        SecretKey freshKey = unwrap(fresh, master);
        Map<String, VaultKey> keys = keys();
        for (SecurityRepository.VaultSecret row : store.secrets()) {
            byte[] plain = open(unwrap(keys.get(row.keyId()), master), row.sealed(), row.name());
            store.putSecret(row.name(), fresh.keyId(), seal(freshKey, plain, row.name()), clock.instant());
        }
    }

    @Override
    public synchronized void rotateMasterKey(Secret newMasterKey) {
        SecretKey next = masterKey(newMasterKey);
        List<VaultKey> rewrapped = store.vaultKeys().stream().map(k -> new VaultKey(k.keyId(), seal(next, unwrap(k,
                master).getEncoded(), k.keyId()), k.active())).toList();
        store.rewrapVaultKeys(rewrapped);
        master = next;
    }

    private synchronized VaultKey activeKey() {
        return store.vaultKeys().stream().filter(VaultKey::active).findFirst().orElseGet(this::newDataKey);
    }

    private VaultKey newDataKey() {
        byte[] key = new byte[32];
        random.nextBytes(key);
        String id = UUID.randomUUID().toString();
        String wrapped = seal(master, key, id);
        store.addVaultKey(id, wrapped, clock.instant());
        return new VaultKey(id, wrapped, true);
    }

    private Map<String, VaultKey> keys() {
        Map<String, VaultKey> keys = new HashMap<>();
        store.vaultKeys().forEach(k -> keys.put(k.keyId(), k));
        return keys;
    }

    private static SecretKey unwrap(VaultKey key, SecretKey master) {
        return new SecretKeySpec(open(master, key.wrapped(), key.keyId()), "AES");
    }

    private String seal(SecretKey key, byte[] plain, String associated) {
        byte[] nonce = new byte[NONCE];
        random.nextBytes(nonce);
        try {
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            gcm.updateAAD(associated.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = gcm.doFinal(plain);
            return Base64.getEncoder().encodeToString(ByteBuffer.allocate(NONCE + sealed.length).put(nonce).put(
                    sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM failed: " + e.getMessage(), e);
        }
    }

    private static byte[] open(SecretKey key, String sealed, String associated) {
        byte[] bytes = Base64.getDecoder().decode(sealed);
        try {
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes, 0, NONCE));
            gcm.updateAAD(associated.getBytes(StandardCharsets.UTF_8));
            return gcm.doFinal(bytes, NONCE, bytes.length - NONCE);
        } catch (GeneralSecurityException e) {
            throw new StoreException("a vault value does not open with the master key: it was changed, moved, or"
                    + " sealed under another key", null);
        }
    }

    private static void checkName(String name) {
        if (name == null || name.isBlank() || name.length() > 200) {
            throw new InvalidRequestException("a secret's name must be 1 to 200 characters", null);
        }
    }
}
