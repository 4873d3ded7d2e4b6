package dev.tenancy.hibernate;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;
import org.hibernate.annotations.TenantId;

/** A second-level-cached entity of the shared model. */
@Entity
@Table(name = "shared_cached_notes")
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
public class SharedCachedNote {
    @Id
    private Long id;

    @TenantId
    @Column(name = "tenant_id")
    private String tenantId;

    private String body;

    protected SharedCachedNote() {}

    public SharedCachedNote(long id, String body) {
        this.id = id;
        this.body = body;
    }

    public String body() {
        return body;
    }
}
