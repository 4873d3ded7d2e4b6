/**
 * Per-tenant feature flags and module entitlements: {@link dev.tenancy.flags.FlagDefinition}s
 * with rules (on/off, allowlist, plan tiers, rollout by tenant or by user), per-tenant {@link
 * dev.tenancy.flags.FlagOverride}s, modules with dependencies, a {@link
 * dev.tenancy.flags.FlagStore} (in memory or JDBC, every change audited), and {@link
 * dev.tenancy.flags.FeatureFlags}, which evaluates from per-tenant snapshots in memory.
 */
package dev.tenancy.flags;
