package dev.tenancy.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.tenancy.Actor;
import dev.tenancy.Tenant;
import dev.tenancy.TenantId;
import dev.tenancy.TenantStatus;
import dev.tenancy.audit.AuditLog;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CachingTenantCatalogTest {
    private static final Actor ADMIN = Actor.user("u-1", "system_admin");
    private static final TenantId ACME = TenantId.of("acme");

    private final AtomicLong nanos = new AtomicLong();
    private final Ticker ticker = nanos::get;
    private final AtomicInteger reads = new AtomicInteger();
    private final TenantCatalog source = TenantCatalog.inMemory(AuditLog.inMemory());
    private final TenantCatalog counting = new ForwardingCatalog(source) {
        @Override
        public Optional<Tenant> find(TenantId id) {
            reads.incrementAndGet();
            return super.find(id);
        }

        @Override
        public Optional<TenantId> findByDomain(String host) {
            reads.incrementAndGet();
            return super.findByDomain(host);
        }
    };
    private final CachingTenantCatalog cached = new CachingTenantCatalog(counting, Duration.ofMinutes(5), ticker);

    @Test
    void lookups_areServedFromMemoryUntilTheTtl() {
        cached.register(TenantRegistration.builder(ACME, "Acme").active().build(), ADMIN);
        cached.find(ACME);
        cached.find(ACME);
        cached.find(ACME);
        assertThat(reads).hasValue(1);

        nanos.addAndGet(Duration.ofMinutes(5).plusSeconds(1).toNanos());
        cached.find(ACME);
        assertThat(reads).hasValue(2);
    }

    @Test
    void unknownIds_areCachedToo_soProbingDoesNotReachTheStore() {
        for (int i = 0; i < 10; i++) {
            assertThat(cached.find(TenantId.of("nobody"))).isEmpty();
        }
        assertThat(reads).hasValue(1);
    }

    @Test
    void changesThroughTheCache_areSeenAtOnce() {
        cached.register(TenantRegistration.builder(ACME, "Acme").active().build(), ADMIN);
        assertThat(cached.require(ACME).status()).isEqualTo(TenantStatus.ACTIVE);

        cached.transition(ACME, TenantStatus.SUSPENDED, ADMIN, "unpaid");

        assertThat(cached.require(ACME).status()).isEqualTo(TenantStatus.SUSPENDED);
    }

    @Test
    void registeringAPreviouslyUnknownId_isSeenAtOnce() {
        assertThat(cached.find(ACME)).isEmpty();
        cached.register(TenantRegistration.builder(ACME, "Acme").build(), ADMIN);
        assertThat(cached.find(ACME)).isPresent();
    }

    @Test
    void domainChanges_areSeenAtOnce() {
        cached.register(TenantRegistration.builder(ACME, "Acme").active().build(), ADMIN);
        cached.addDomain(ACME, "app.acme.com", ADMIN);
        assertThat(cached.findByDomain("app.acme.com")).isEmpty();
        cached.verifyDomain("app.acme.com", ADMIN);
        assertThat(cached.findByDomain("app.acme.com:443")).contains(ACME);
        cached.removeDomain("app.acme.com", ADMIN);
        assertThat(cached.findByDomain("app.acme.com")).isEmpty();
    }

    @Test
    void changesMadeElsewhere_areSeenAfterTheTtl() {
        cached.register(TenantRegistration.builder(ACME, "Acme").active().build(), ADMIN);
        cached.find(ACME);
        source.transition(ACME, TenantStatus.SUSPENDED, ADMIN, "another node");
        assertThat(cached.require(ACME).status()).isEqualTo(TenantStatus.ACTIVE);
        nanos.addAndGet(Duration.ofMinutes(6).toNanos());
        assertThat(cached.require(ACME).status()).isEqualTo(TenantStatus.SUSPENDED);
    }
}
