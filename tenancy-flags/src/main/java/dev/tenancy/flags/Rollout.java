package dev.tenancy.flags;

/**
 * The rollout hash: which bucket out of 10,000 a tenant (or a user within a tenant) falls in for
 * a flag. A rollout of {@code p} per cent enables the buckets below {@code p * 100}, so raising the
 * percentage only ever adds tenants or users, and lowering it only removes them.
 *
 * <p>The algorithm is part of the public contract, pinned by test vectors, and never changes
 * between releases. A tenant's state for a flag is 64-bit FNV-1a over the UTF-16 code units of
 * {@code flagKey}, then the unit {@code 0x1F}, then the tenant id. A user's state within that
 * tenant continues it with the unit {@code 0x1F} and then XORs in the user id's {@link
 * String#hashCode()} (specified by the Java Language Specification, so the same on every JVM and
 * release, and cached in the string, so a user id checked against several flags is hashed once).
 * Either state is finished with the SplitMix64 mixer (as in {@code java.util.SplittableRandom}); the
 * bucket is the unsigned result modulo 10,000. Salting with the flag key makes each flag pick its
 * own tenants. Code units, not UTF-8 bytes, so nothing is encoded or allocated on the way.
 */
public final class Rollout {
    /** The number of buckets: rollouts have a precision of 0.01 %. */
    public static final int BUCKETS = 10_000;

    static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;
    private static final char SEPARATOR = 0x1F;

    private Rollout() {}

    /** The tenant's bucket for {@code flagKey}, in {@code [0, 10000)}. */
    public static int tenantBucket(String flagKey, String tenantId) {
        return bucket(tenantSeed(flagKey, tenantId));
    }

    /** The user's bucket for {@code flagKey} within {@code tenantId}, in {@code [0, 10000)}. */
    public static int userBucket(String flagKey, String tenantId, String userId) {
        return userBucket(tenantSeed(flagKey, tenantId), userId);
    }

    /** Whether {@code bucket} falls within a rollout of {@code basisPoints} (hundredths of a per cent). */
    public static boolean within(int bucket, int basisPoints) {
        return bucket < basisPoints;
    }

    /** The hash state after the flag key and tenant id: what a tenant's snapshot keeps per flag. */
    static long tenantSeed(String flagKey, String tenantId) {
        long h = append(FNV_OFFSET, flagKey);
        h = (h ^ SEPARATOR) * FNV_PRIME;
        return append(h, tenantId);
    }

    /** Continues {@code seed} with the user id and returns the bucket; no allocation. */
    static int userBucket(long seed, String userId) {
        long h = (seed ^ SEPARATOR) * FNV_PRIME;
        return bucket(h ^ (userId.hashCode() & 0xFFFF_FFFFL));
    }

    static int bucket(long state) {
        // Long.remainderUnsigned(mixed, BUCKETS), without a 64-bit division: halving first makes the
        // dividend non-negative, so the quotient by the (even) bucket count halved is a signed
        // division by a constant, which the JIT turns into a multiplication. Same result: a multiple
        // of 10,000 is even, so dropping the low bit never moves the quotient.
        long mixed = mix(state);
        long quotient = (mixed >>> 1) / (BUCKETS / 2);
        return (int) (mixed - quotient * BUCKETS);
    }

    private static long append(long h, String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            h = (h ^ s.charAt(i)) * FNV_PRIME;
        }
        return h;
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
