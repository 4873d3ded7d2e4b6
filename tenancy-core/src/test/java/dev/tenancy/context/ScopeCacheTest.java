package dev.tenancy.context;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenancy.TenantId;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ScopeCacheTest {
    private static final TenantScope ACME = TenantContext.where(TenantId.of("acme"));
    private static final TenantScope GLOBEX = TenantContext.where(TenantId.of("globex"));

    @Test
    void aValue_isCachedOnTheScope_andSeenOnlyThroughIt() {
        ScopeCache<String> cache = ScopeCache.create();
        ACME.run(() -> cache.put("acme's"));
        assertThat(ACME.get(cache::get)).isEqualTo("acme's");
        assertThat(GLOBEX.get(cache::get)).isNull();
        assertThat(TenantContext.where(TenantId.of("acme")).get(cache::get))
                .as("another scope of the same tenant starts empty")
                .isNull();
    }

    @Test
    void nothingBound_nothingCached() {
        ScopeCache<String> cache = ScopeCache.create();
        cache.put("lost");
        assertThat(cache.get()).isNull();
    }

    @Test
    void cachesSharingASlot_neverReadEachOthersValues() {
        List<ScopeCache<Integer>> caches = IntStream.range(0, TenantScope.CACHE_SLOTS + 2)
                .mapToObj(i -> ScopeCache.<Integer>create())
                .toList();
        TenantScope scope = TenantContext.where(TenantId.of("initech"));
        scope.run(() -> {
            for (int i = 0; i < caches.size(); i++) {
                caches.get(i).put(i);
            }
            for (int i = 0; i < caches.size(); i++) {
                Integer seen = caches.get(i).get();
                assertThat(seen == null || seen == i).isTrue();
            }
            int last = caches.size() - 1;
            assertThat(caches.get(last).get()).isEqualTo(last);
            assertThat(caches.get(last - 1).get())
                    .as("past the owned slots, caches share one and evict each other")
                    .isNull();
        });
    }

    @Test
    void propagatedWork_sharesTheScopesValues() throws Exception {
        ScopeCache<String> cache = ScopeCache.create();
        ExecutorService pool = TenantContext.wrap(Executors.newSingleThreadExecutor());
        try {
            String seen = ACME.call(() -> {
                cache.put("computed once");
                return pool.submit(cache::get).get();
            });
            assertThat(seen).isEqualTo("computed once");
        } finally {
            pool.shutdown();
        }
    }
}
