/**
 * The tenant a piece of work runs as: {@link dev.tenancy.context.TenantContext} binds a tenant (or
 * the system scope) for exactly the scope of the work and carries it into executors, scheduled
 * jobs, {@code CompletableFuture} stages and virtual threads through explicit wrappers.
 */
package dev.tenancy.context;
