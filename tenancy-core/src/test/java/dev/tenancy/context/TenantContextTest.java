package dev.tenancy.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenancy.TenantId;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class TenantContextTest {
    private static final TenantId ACME = TenantId.of("acme");
    private static final TenantId GLOBEX = TenantId.of("globex");

    @AfterEach
    void nothingLeftBound() {
        assertThat(TenantContext.binding()).isInstanceOf(TenantBinding.Unbound.class);
        assertThat(MDC.get(TenantContext.MDC_KEY)).isNull();
    }

    @Nested
    @DisplayName("scopes")
    class Scopes {
        @Test
        void where_bindsForTheScopeOnly() {
            assertThat(TenantContext.current()).isEmpty();
            TenantContext.where(ACME).run(() -> {
                assertThat(TenantContext.current()).contains(ACME);
                assertThat(TenantContext.require()).isEqualTo(ACME);
                assertThat(TenantContext.binding()).isEqualTo(new TenantBinding.Bound(ACME));
                assertThat(MDC.get(TenantContext.MDC_KEY)).isEqualTo("acme");
            });
            assertThat(TenantContext.current()).isEmpty();
        }

        @Test
        void nesting_restoresTheOuterTenant() {
            TenantContext.where(ACME).run(() -> {
                TenantContext.where(GLOBEX).run(() -> {
                    assertThat(TenantContext.require()).isEqualTo(GLOBEX);
                    assertThat(MDC.get(TenantContext.MDC_KEY)).isEqualTo("globex");
                });
                assertThat(TenantContext.require()).isEqualTo(ACME);
                assertThat(MDC.get(TenantContext.MDC_KEY)).isEqualTo("acme");
            });
        }

        @Test
        void nesting_restoresTheOuterTenant_afterAnException() {
            TenantContext.where(ACME).run(() -> {
                assertThatThrownBy(() -> TenantContext.where(GLOBEX).run(() -> {
                            throw new IllegalStateException("boom");
                        }))
                        .hasMessage("boom");
                assertThat(TenantContext.require()).isEqualTo(ACME);
            });
        }

        @Test
        void call_returnsTheResult_andPassesCheckedExceptionsThrough() {
            String value =
                    TenantContext.where(ACME).call(() -> TenantContext.require().value());
            assertThat(value).isEqualTo("acme");
            assertThatThrownBy(() -> TenantContext.where(ACME).call(() -> {
                        throw new IOException("disk");
                    }))
                    .isInstanceOf(IOException.class);
            assertThat(TenantContext.where(ACME).get(() -> 42)).isEqualTo(42);
        }

        @Test
        void require_withNothingBound_failsClosedWithAClearMessage() {
            assertThatThrownBy(TenantContext::require)
                    .isInstanceOfSatisfying(
                            NoTenantBoundException.class,
                            e -> assertThat(e.systemScope()).isFalse())
                    .hasMessageContaining("No tenant is bound")
                    .hasMessageContaining("TenantContext.where(tenantId).run(...)");
        }

        @Test
        @DisplayName("a read-only scope binds the same tenant, and every scope entered inside it is read-only too")
        void readOnlyScope_isInheritedByWhatIsEnteredInsideIt() throws Exception {
            TenantScope acme = TenantContext.where(ACME);
            TenantScope readOnly = acme.readOnly();
            assertThat(readOnly.binding()).isEqualTo(acme.binding());
            assertThat(readOnly.isReadOnly()).isTrue();
            assertThat(acme.isReadOnly()).isFalse();
            assertThat(readOnly.readOnly()).isSameAs(readOnly);
            assertThat(readOnly).hasToString("TenantScope[Bound[id=acme], read-only]");

            assertThat(TenantContext.isReadOnly()).isFalse();
            readOnly.run(() -> {
                assertThat(TenantContext.require()).isEqualTo(ACME);
                assertThat(TenantContext.isReadOnly()).isTrue();
                acme.run(() -> assertThat(TenantContext.isReadOnly()).isTrue());
                TenantContext.where(GLOBEX).run(() -> {
                    assertThat(TenantContext.require()).isEqualTo(GLOBEX);
                    assertThat(TenantContext.isReadOnly()).isTrue();
                });
                TenantContext.system().run(() -> {
                    assertThat(TenantContext.isSystem()).isTrue();
                    assertThat(TenantContext.isReadOnly()).isTrue();
                });
                assertThat(TenantContext.isReadOnly()).isTrue();
            });
            acme.run(() -> assertThat(TenantContext.isReadOnly()).isFalse());

            ExecutorService pool = TenantContext.wrap(Executors.newSingleThreadExecutor());
            try {
                Future<Boolean> there = readOnly.call(() -> pool.submit(TenantContext::isReadOnly));
                assertThat(there.get()).isTrue();
            } finally {
                pool.shutdown();
            }
        }

        @Test
        void systemScope_isDistinguishableFromNothingBound() {
            TenantContext.system().run(() -> {
                assertThat(TenantContext.isSystem()).isTrue();
                assertThat(TenantContext.binding()).isInstanceOf(TenantBinding.System.class);
                assertThat(TenantContext.current()).isEmpty();
                assertThat(MDC.get(TenantContext.MDC_KEY)).isEqualTo("(system)");
                assertThatThrownBy(TenantContext::require)
                        .isInstanceOfSatisfying(
                                NoTenantBoundException.class,
                                e -> assertThat(e.systemScope()).isTrue())
                        .hasMessageContaining("system scope");
                TenantContext.where(ACME)
                        .run(() -> assertThat(TenantContext.isSystem()).isFalse());
                assertThat(TenantContext.isSystem()).isTrue();
            });
            assertThat(TenantContext.isSystem()).isFalse();
        }

        @Test
        void bindingsSwitch_exhaustively() {
            String described = TenantContext.where(ACME).get(() -> switch (TenantContext.binding()) {
                case TenantBinding.Bound b -> "tenant " + b.id();
                case TenantBinding.System s -> "system";
                case TenantBinding.Unbound u -> "none";
            });
            assertThat(described).isEqualTo("tenant acme");
        }

        @Test
        void current_returnsTheSameInstance_withoutAllocating() {
            TenantScope scope = TenantContext.where(ACME);
            scope.run(() -> {
                Optional<TenantId> first = TenantContext.current();
                assertThat(TenantContext.current()).isSameAs(first);
            });
        }
    }

    @Nested
    @DisplayName("crossing threads")
    class CrossingThreads {
        @Test
        void wrappedRunnableAndCallable_runInTheSubmittersScope() throws Exception {
            AtomicReference<Optional<TenantId>> seen = new AtomicReference<>();
            Runnable task =
                    TenantContext.where(ACME).get(() -> TenantContext.wrap(() -> seen.set(TenantContext.current())));
            Thread t = new Thread(task);
            t.start();
            t.join();
            assertThat(seen.get()).contains(ACME);
            var callable = TenantContext.where(GLOBEX)
                    .get(() -> TenantContext.wrap((java.util.concurrent.Callable<TenantId>) TenantContext::require));
            assertThat(callable.call()).isEqualTo(GLOBEX);
        }

        @Test
        void pooledThreads_neverSeeAStaleTenant() throws Exception {
            ExecutorService pool = TenantContext.wrap(Executors.newFixedThreadPool(2));
            try {
                List<Future<Optional<TenantId>>> results = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    TenantId id = TenantId.of("t" + i);
                    results.add(TenantContext.where(id).get(() -> pool.submit(TenantContext::current)));
                    // Submitted with nothing bound: must see nothing, not the previous task's tenant.
                    results.add(pool.submit(TenantContext::current));
                }
                for (int i = 0; i < results.size(); i++) {
                    Optional<TenantId> seen = results.get(i).get();
                    if (i % 2 == 0) {
                        assertThat(seen).contains(TenantId.of("t" + (i / 2)));
                    } else {
                        assertThat(seen).isEmpty();
                    }
                }
                // The pool's threads are left unbound after each task.
                assertThat(pool.submit(() -> TenantContext.binding()).get()).isInstanceOf(TenantBinding.Unbound.class);
            } finally {
                pool.shutdownNow();
            }
        }

        @Test
        void invokeAll_runsEveryTaskInTheSubmittersScope() throws Exception {
            ExecutorService pool = TenantContext.wrap(Executors.newFixedThreadPool(2));
            try {
                List<java.util.concurrent.Callable<TenantId>> tasks =
                        List.of(TenantContext::require, TenantContext::require);
                List<Future<TenantId>> done = TenantContext.where(ACME).call(() -> pool.invokeAll(tasks));
                for (Future<TenantId> f : done) {
                    assertThat(f.get()).isEqualTo(ACME);
                }
                assertThat(TenantContext.where(GLOBEX).call(() -> pool.invokeAny(tasks)))
                        .isEqualTo(GLOBEX);
            } finally {
                pool.shutdownNow();
            }
        }

        @Test
        void executor_wrapsEachTaskAtSubmission() throws Exception {
            ExecutorService raw = Executors.newSingleThreadExecutor();
            try {
                java.util.concurrent.Executor executor = TenantContext.wrap((java.util.concurrent.Executor) raw);
                CompletableFuture<Optional<TenantId>> seen = new CompletableFuture<>();
                TenantContext.where(ACME).run(() -> executor.execute(() -> seen.complete(TenantContext.current())));
                assertThat(seen.get(5, TimeUnit.SECONDS)).contains(ACME);
                assertThat(TenantContext.wrap(executor)).isSameAs(executor);
            } finally {
                raw.shutdownNow();
            }
        }

        @Test
        void scheduledExecutor_carriesTheScopeIntoOneShotAndPeriodicTasks() throws Exception {
            ScheduledExecutorService scheduler = TenantContext.wrap(Executors.newSingleThreadScheduledExecutor());
            try {
                ScheduledFuture<TenantId> once = TenantContext.where(ACME)
                        .get(() -> scheduler.schedule(TenantContext::require, 1, TimeUnit.MILLISECONDS));
                assertThat(once.get(5, TimeUnit.SECONDS)).isEqualTo(ACME);

                CountDownLatch ticks = new CountDownLatch(3);
                List<Optional<TenantId>> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
                ScheduledFuture<?> periodic = TenantContext.where(GLOBEX)
                        .get(() -> scheduler.scheduleAtFixedRate(
                                () -> {
                                    seen.add(TenantContext.current());
                                    ticks.countDown();
                                },
                                0,
                                1,
                                TimeUnit.MILLISECONDS));
                assertThat(ticks.await(5, TimeUnit.SECONDS)).isTrue();
                periodic.cancel(false);
                assertThat(seen).allSatisfy(s -> assertThat(s).contains(GLOBEX));
            } finally {
                scheduler.shutdownNow();
            }
        }

        @Test
        void completableFuture_asyncStagesRunInTheCapturedScope() throws Exception {
            CompletableFuture<String> source = new CompletableFuture<>();
            CompletableFuture<String> chain = TenantContext.where(ACME)
                    .get(() -> TenantContext.wrap(source)
                            .thenApplyAsync(v -> v + ":" + TenantContext.require())
                            .thenComposeAsync(
                                    v -> CompletableFuture.completedFuture(v + ":" + TenantContext.require())));
            // Completed by a thread with nothing bound.
            Thread completer = new Thread(() -> source.complete("done"));
            completer.start();
            assertThat(chain.get(5, TimeUnit.SECONDS)).isEqualTo("done:acme:acme");
        }

        @Test
        void supplyAsync_runsInTheCurrentScope() throws Exception {
            ExecutorService raw = Executors.newSingleThreadExecutor();
            try {
                CompletableFuture<TenantId> f =
                        TenantContext.where(GLOBEX).get(() -> TenantContext.supplyAsync(TenantContext::require, raw));
                assertThat(f.thenApplyAsync(id -> TenantContext.require()).get(5, TimeUnit.SECONDS))
                        .isEqualTo(GLOBEX);
                assertThat(f.get()).isEqualTo(GLOBEX);
            } finally {
                raw.shutdownNow();
            }
        }

        @Test
        void tenThousandVirtualThreads_eachSeeTheirOwnTenant() throws Exception {
            int n = 10_000;
            ConcurrentHashMap<Integer, String> mismatches = new ConcurrentHashMap<>();
            try (ExecutorService vts = TenantContext.wrap(Executors.newVirtualThreadPerTaskExecutor())) {
                List<Future<?>> futures = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    int index = i;
                    TenantId id = TenantId.of("tenant-" + i);
                    futures.add(TenantContext.where(id)
                            .get(() -> vts.submit(() -> {
                                Thread.yield();
                                TenantContext.where(TenantId.of("nested-" + index))
                                        .run(Thread::yield);
                                if (!id.equals(TenantContext.require())) {
                                    mismatches.put(index, String.valueOf(TenantContext.current()));
                                }
                            })));
                }
                for (Future<?> f : futures) {
                    f.get();
                }
            }
            assertThat(mismatches).isEmpty();
        }
    }
}
