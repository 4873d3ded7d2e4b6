package dev.tenancy.hibernate;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

@Entity
@Table(name = "countries")
@GlobalEntity
public class Country {
    @Id
    private String code;

    protected Country() {}
}
