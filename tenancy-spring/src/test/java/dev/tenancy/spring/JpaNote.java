package dev.tenancy.spring;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.TenantId;

/** A shared-model entity: one table for every tenant, the tenant in {@code tenant_id}. */
@Entity
@Table(name = "jpa_notes")
public class JpaNote {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @TenantId
    @Column(name = "tenant_id")
    private String tenantId;

    private String body;

    protected JpaNote() {}

    public JpaNote(String body) {
        this.body = body;
    }

    public String tenantId() {
        return tenantId;
    }

    public String body() {
        return body;
    }
}
