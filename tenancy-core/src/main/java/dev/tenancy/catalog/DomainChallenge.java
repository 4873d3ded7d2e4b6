package dev.tenancy.catalog;

import dev.tenancy.TenantId;

/**
 * What a tenant publishes to prove it owns a custom domain: a DNS TXT record named {@code
 * recordName} whose value is {@code recordValue}. The value is specific to the domain and the
 * tenant: a record left behind by a previous owner never verifies the domain for someone else.
 *
 * @param domain the normalised domain
 * @param tenantId the tenant claiming it
 * @param recordName the TXT record's name, {@code _tenancy-challenge.<domain>}
 * @param recordValue the TXT record's value, {@code tenancy-verification=<token>}
 */
public record DomainChallenge(String domain, TenantId tenantId, String recordName, String recordValue) {}
