package dev.tenancy.jdbc;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secret that signs tenant bindings on PostgreSQL, so that SQL the application runs cannot
 * forge one: not even SQL injection can move a session to another tenant's rows.
 *
 * <pre>{@code
 * BindingKey key = BindingKey.fromBase64(System.getenv("TENANCY_BINDING_KEY"));   // 32+ random bytes, same on every node
 * RowLevelSecurity.on("orders").signedBy(key).apply(ownerConnection);             // once, as the tables' owner
 * TenantDataSource.builder()...signedBinding(key).build();                        // every node
 * }</pre>
 *
 * <p>Without a key, row-level security trusts the session setting {@code tenancy.tenant_id}, and
 * the application's database role may change it ({@code set_config} is open to every role). With
 * one, {@link TenantDataSource} binds each borrow (each transaction behind a transaction-pooling
 * proxy) through {@code tenancy_bind(tenant, mode, issued, nonce, signature, local)}, a {@code
 * SECURITY DEFINER} function that checks HMAC-SHA256(key, {@code tenant:mode:issued:nonce})
 * against the key kept in a table the application role cannot read, refuses a signature older than
 * a minute or a nonce it has seen, and then records a fresh random token for the server process in
 * a table only the owner can read and write, and puts the token in {@code tenancy.binding}. The
 * policies accept the tenant only through {@code tenancy_bound_tenant()}, which compares the
 * session's token with the one recorded for its process. So:
 *
 * <ul>
 *   <li>the signature travels as a bind parameter: it never appears in {@code pg_stat_activity}
 *       or any other view another session can read;
 *   <li>a token verifies only for the borrow it was issued for: the next binding of that server
 *       process replaces it, and a token copied to another process (or to a new process that
 *       reuses the id) matches nothing recorded there;
 *   <li>the mode ({@code r} for an archived tenant or a read-only scope) is recorded with the
 *       token, not read from a setting: the policies refuse writes however the session's SQL sets
 *       its own read-only settings.
 * </ul>
 *
 * <p>A setting changed by hand does not verify, and the statement sees no rows.
 *
 * <p>The key is 32 to 64 bytes. Rotating it: apply the policy with the new key and restart the
 * nodes; in between, sessions bound with the old key see no rows (it fails closed).
 */
public final class BindingKey {
    private static final int BLOCK = 64;

    private final byte[] secret;
    private final Mac prototype;

    private BindingKey(byte[] secret) {
        this.secret = secret.clone();
        try {
            this.prototype = Mac.getInstance("HmacSHA256");
            prototype.init(new SecretKeySpec(this.secret, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("This JVM has no HmacSHA256", e);
        }
    }

    /**
     * A key of 32 to 64 random bytes.
     *
     * @throws IllegalArgumentException naming the length when it is outside 32 to 64 bytes
     */
    public static BindingKey of(byte[] secret) {
        if (secret == null || secret.length < 32 || secret.length > BLOCK) {
            throw new IllegalArgumentException("A binding key is 32 to 64 random bytes, was "
                    + (secret == null ? "null" : secret.length + " bytes")
                    + ": generate one with `openssl rand -base64 32` and pass it to BindingKey.fromBase64");
        }
        return new BindingKey(secret);
    }

    /**
     * A key from its Base64 text (for example an environment variable).
     *
     * @throws IllegalArgumentException when the text is not Base64 or not 32 to 64 bytes
     */
    public static BindingKey fromBase64(String base64) {
        if (base64 == null) {
            throw new IllegalArgumentException("The binding key is missing: set it to the output of"
                    + " `openssl rand -base64 32`, the same on every node");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("The binding key is not Base64 (" + e.getMessage()
                    + "): generate one with `openssl rand -base64 32`");
        }
        return of(bytes);
    }

    /**
     * The signature {@code tenancy_bind(...)} verifies before it binds a session: HMAC-SHA256 of
     * {@code tenant:mode:issued:nonce} in lowercase hex, where mode is {@code r} (read-only) or
     * {@code w}, {@code issued} the signing time in epoch milliseconds and {@code nonce} a value
     * used once.
     */
    String signBinding(String tenant, boolean readOnly, long issued, String nonce) {
        Mac mac;
        try {
            mac = (Mac) prototype.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("HmacSHA256 cannot be cloned", e);
        }
        String message = tenant + ":" + (readOnly ? "r" : "w") + ":" + issued + ":" + nonce;
        return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * A key for PostgreSQL's advisory locks named {@code name}, derived from this secret, so that a
     * tenant's session cannot compute it in advance to take the lock first: the first 8 bytes of
     * HMAC-SHA256 of {@code lock:name}.
     */
    long lockKey(String name) {
        Mac mac;
        try {
            mac = (Mac) prototype.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("HmacSHA256 cannot be cloned", e);
        }
        byte[] digest = mac.doFinal(("lock:" + name).getBytes(StandardCharsets.UTF_8));
        return java.nio.ByteBuffer.wrap(digest, 0, 8).getLong();
    }

    /** The key padded to the block and XORed with HMAC's inner pad: what the database stores. */
    byte[] innerPad() {
        return pad((byte) 0x36);
    }

    /** The key padded to the block and XORed with HMAC's outer pad: what the database stores. */
    byte[] outerPad() {
        return pad((byte) 0x5c);
    }

    private byte[] pad(byte with) {
        byte[] out = Arrays.copyOf(secret, BLOCK);
        for (int i = 0; i < BLOCK; i++) {
            out[i] ^= with;
        }
        return out;
    }

    /** Never prints the secret. */
    @Override
    public String toString() {
        return "BindingKey[" + secret.length + " bytes]";
    }
}
