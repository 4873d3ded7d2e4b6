package dev.tenancy.hibernate;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import org.hibernate.annotations.TenantId;

@Entity
@Table(name = "tags")
public class Tag {
    @Id
    private Long id;

    @TenantId
    @Column(name = "tenant_id")
    private String tenantId;

    @ManyToOne(fetch = FetchType.LAZY)
    @JoinColumn(name = "note_id")
    private Note note;

    private String label;

    protected Tag() {}

    public Tag(long id, Note note, String label) {
        this.id = id;
        this.note = note;
        this.label = label;
    }

    public Note note() {
        return note;
    }

    public String label() {
        return label;
    }
}
