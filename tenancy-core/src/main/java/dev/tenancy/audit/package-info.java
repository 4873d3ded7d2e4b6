/**
 * The append-only, tamper-evident audit log: {@link dev.tenancy.audit.AuditLog} with in-memory and
 * JDBC implementations, hash-chained events and {@link dev.tenancy.audit.AuditLog#verify()}.
 */
package dev.tenancy.audit;
