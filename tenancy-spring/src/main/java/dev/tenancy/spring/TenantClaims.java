package dev.tenancy.spring;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;

/**
 * The verified claims of a request's authenticated principal, which the {@code claim} resolver
 * and {@code tenancy.resolution.authenticated-claim} read. With Spring Security's resource server
 * on the class path, the default reads the bearer token's attributes (a JWT's claims); declare a
 * bean to read them from elsewhere.
 *
 * <p>Return only what the security layer has verified: a claim decides which tenant's data the
 * request reaches.
 */
@FunctionalInterface
public interface TenantClaims {

    /** No claims: every request is unauthenticated as far as tenant resolution goes. */
    TenantClaims NONE = request -> Map.of();

    /** The verified claims of {@code request}'s principal; empty when it is not authenticated. */
    Map<String, Object> of(HttpServletRequest request);
}
