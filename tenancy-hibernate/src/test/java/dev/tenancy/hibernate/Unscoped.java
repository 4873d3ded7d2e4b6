package dev.tenancy.hibernate;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** Forgot its @TenantId: the bootstrap check must catch it. */
@Entity
@Table(name = "unscoped")
public class Unscoped {
    @Id
    private Long id;

    protected Unscoped() {}
}
