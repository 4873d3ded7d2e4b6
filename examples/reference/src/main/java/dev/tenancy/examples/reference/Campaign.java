package dev.tenancy.examples.reference;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.hibernate.annotations.TenantId;

/**
 * An email campaign. The same entity serves every isolation model: {@code @TenantId} keeps a
 * shared table's rows apart and is simply filled in where the tenant has a schema or a database of
 * its own.
 */
@Entity
@Table(name = "campaigns")
public class Campaign {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @TenantId
    @Column(name = "tenant_id")
    private String tenantId;

    private String name;

    private String status;

    @Column(name = "created_at")
    private Instant createdAt;

    protected Campaign() {}

    public Campaign(String name) {
        this.name = name;
        this.status = "DRAFT";
        this.createdAt = Instant.now();
    }

    public Long getId() {
        return id;
    }

    public String getTenantId() {
        return tenantId;
    }

    public String getName() {
        return name;
    }

    public String getStatus() {
        return status;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    /** Renames it and sets its status ({@code DRAFT}, {@code SCHEDULED}, {@code SENT}). */
    void change(String name, String status) {
        this.name = name;
        this.status = status;
    }
}
