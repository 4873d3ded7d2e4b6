package dev.tenancy.flags;

/**
 * A flag's value with the reason for it. Evaluation never throws: a missing flag, no tenant or a
 * store that never loaded give the default ({@code false} for a missing flag) with {@link
 * Reason#ERROR} and an {@link ErrorCode}.
 *
 * @param error {@code null} unless {@code reason} is {@link Reason#ERROR}
 */
public record FlagEvaluation(String key, boolean enabled, Reason reason, ErrorCode error) {

    /** Why a flag has its value; in precedence order. */
    public enum Reason {
        /** The tenant's override. */
        OVERRIDE,
        /** The tenant is on the allowlist. */
        ALLOWLIST,
        /** The tenant's plan tier unlocks it. */
        PLAN,
        /** The tenant's or user's rollout bucket is within the rollout. */
        ROLLOUT,
        /** No rule applied: the flag's default. */
        DEFAULT,
        /** It could not be evaluated; the value is the default. */
        ERROR
    }

    /** What went wrong when {@link Reason#ERROR}. */
    public enum ErrorCode {
        /** No flag has this key. */
        FLAG_NOT_FOUND,
        /** No tenant is bound (or the system scope is) and none was given. */
        NO_TENANT,
        /** The store could not be read and nothing was loaded from it yet. */
        STORE_UNAVAILABLE
    }
}
