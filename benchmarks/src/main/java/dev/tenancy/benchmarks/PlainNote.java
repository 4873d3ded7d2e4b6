package dev.tenancy.benchmarks;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The same table mapped without multi-tenancy, for plain Hibernate in {@link HibernateBenchmark}. */
@Entity
@Table(name = "notes")
public class PlainNote {
    @Id
    Long id;

    @Column(name = "tenant_id")
    String tenantId;

    String body;
}
