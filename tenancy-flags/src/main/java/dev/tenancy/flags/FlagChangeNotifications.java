package dev.tenancy.flags;

/**
 * A {@link FlagStore} that tells subscribers when something changed, on this node or (for the
 * JDBC store on PostgreSQL, through LISTEN/NOTIFY) on any node. {@link FeatureFlags} subscribes
 * and reloads when told; the poll of {@link FlagStore#version()} remains the safety net.
 */
public interface FlagChangeNotifications {

    /** Calls {@code onChange} after each change; closing the result unsubscribes. */
    AutoCloseable subscribe(Runnable onChange);
}
