package dev.tenancy.benchmarks;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.TenantId;

/** The shared-model entity of {@link HibernateBenchmark}. */
@Entity
@Table(name = "notes")
public class BenchNote {
    @Id
    Long id;

    @TenantId
    @Column(name = "tenant_id")
    String tenantId;

    String body;
}
