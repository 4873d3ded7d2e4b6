package dev.tenancy.billing;

import dev.tenancy.TenantId;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A payment gateway in memory with scriptable outcomes, for tests and demos: every charge is paid
 * unless {@link #script} queued other outcomes for the tenant. Idempotent like a real provider: a
 * charge repeated with the same key returns the first result and charges nothing more.
 */
public final class InMemoryPaymentGateway implements PaymentGateway {
    private final Map<TenantId, Deque<PaymentResult>> scripts = new ConcurrentHashMap<>();
    private final Map<String, PaymentResult> byKey = new ConcurrentHashMap<>();
    private final List<String> charged = new CopyOnWriteArrayList<>();

    /** The next charges of {@code tenant} end with these outcomes, in order (then paid again). */
    public InMemoryPaymentGateway script(TenantId tenant, InvoiceStatus... outcomes) {
        Deque<PaymentResult> queue = scripts.computeIfAbsent(tenant, t -> new ArrayDeque<>());
        synchronized (queue) {
            for (InvoiceStatus s : outcomes) {
                queue.add(
                        switch (s) {
                            case PAID -> PaymentResult.paid("scripted");
                            case PENDING -> PaymentResult.pending("scripted");
                            case PAYMENT_FAILED -> PaymentResult.failed("scripted", "card_declined");
                            case OPEN -> throw new IllegalArgumentException("A charge cannot end open");
                        });
            }
        }
        return this;
    }

    @Override
    public PaymentResult charge(Invoice invoice, PaymentMethod method, String idempotencyKey) {
        return byKey.computeIfAbsent(idempotencyKey, k -> {
            charged.add(invoice.id());
            Deque<PaymentResult> queue = scripts.get(invoice.tenant());
            PaymentResult next = null;
            if (queue != null) {
                synchronized (queue) {
                    next = queue.poll();
                }
            }
            PaymentResult r = next == null ? PaymentResult.paid("mem-" + charged.size()) : next;
            return new PaymentResult(r.status(), "mem-" + charged.size(), r.message());
        });
    }

    /** Invoice ids actually charged, once each, in order. */
    public List<String> charged() {
        return List.copyOf(charged);
    }
}
