/**
 * Per-tenant settings: typed sections (branding, locale, security, notifications) that the host
 * application declares as records with their defaults, stored per tenant, validated on write,
 * audited, and read from memory.
 */
package dev.tenancy.settings;
