package dev.tenancy.examples.quickstart;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.TenantId;

/** An order, mapped the same way for every isolation model: the tenant column is Hibernate's. */
@Entity
@Table(name = "orders")
public class ShopOrder {
    @Id
    private Integer id;

    @TenantId
    @Column(name = "tenant_id")
    private String tenantId;

    private String customer;

    @Column(name = "total_cents")
    private long totalCents;

    protected ShopOrder() {}

    public ShopOrder(int id, String customer, long totalCents) {
        this.id = id;
        this.customer = customer;
        this.totalCents = totalCents;
    }

    public int id() {
        return id;
    }

    public String customer() {
        return customer;
    }

    public long totalCents() {
        return totalCents;
    }
}
