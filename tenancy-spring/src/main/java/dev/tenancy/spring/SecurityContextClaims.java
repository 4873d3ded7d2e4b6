package dev.tenancy.spring;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.resource.authentication.AbstractOAuth2TokenAuthenticationToken;

/** Claims of a bearer token Spring Security's resource server has verified (a JWT's, an introspected token's). */
final class SecurityContextClaims implements TenantClaims {

    @Override
    public Map<String, Object> of(HttpServletRequest request) {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication instanceof AbstractOAuth2TokenAuthenticationToken<?> token && token.isAuthenticated()) {
            return token.getTokenAttributes();
        }
        return Map.of();
    }

    @Override
    public String toString() {
        return "SecurityContextClaims";
    }
}
