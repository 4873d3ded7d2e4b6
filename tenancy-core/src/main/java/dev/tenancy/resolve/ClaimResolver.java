package dev.tenancy.resolve;

import dev.tenancy.TenantId;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** Reads one verified claim; a claim that is not a string is refused. */
final class ClaimResolver implements TenantResolver {
    private final String claim;

    ClaimResolver(String claim) {
        Objects.requireNonNull(claim, "claim");
        if (claim.isBlank()) {
            throw new IllegalArgumentException("Claim name must not be blank");
        }
        this.claim = claim;
    }

    @Override
    public Optional<TenantId> resolve(TenantRequest request) {
        Object value = request.claim(claim);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof String s)) {
            throw new InvalidTenantRequestException(
                    name(),
                    "The '" + claim + "' claim is a " + value.getClass().getSimpleName() + ", not a string tenant id",
                    null);
        }
        return Optional.of(Resolvers.parse(name(), "The '" + claim + "' claim", s));
    }

    String claimName() {
        return claim;
    }

    @Override
    public Set<String> headers() {
        return Set.of();
    }

    @Override
    public String name() {
        return "claim";
    }

    @Override
    public String toString() {
        return "claim(" + claim + ")";
    }
}
