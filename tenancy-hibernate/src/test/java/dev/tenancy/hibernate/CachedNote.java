package dev.tenancy.hibernate;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

/** A second-level-cached entity of schema/database tenants, whose ids overlap between tenants. */
@Entity
@Table(name = "cached_notes")
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
@GlobalEntity // isolated by schema or database, not by a column
public class CachedNote {
    @Id
    private Long id;

    private String body;

    protected CachedNote() {}

    public CachedNote(long id, String body) {
        this.id = id;
        this.body = body;
    }

    public String body() {
        return body;
    }
}
