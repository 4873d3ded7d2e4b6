package dev.tenancy.hibernate;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.TenantId;

@Entity
@Table(name = "notes")
public class Note {
    @Id
    private Long id;

    @TenantId
    @Column(name = "tenant_id")
    private String tenantId;

    private String body;

    protected Note() {}

    public Note(long id, String body) {
        this.id = id;
        this.body = body;
    }

    public Long id() {
        return id;
    }

    public String tenantId() {
        return tenantId;
    }

    public String body() {
        return body;
    }

    public void body(String body) {
        this.body = body;
    }
}
