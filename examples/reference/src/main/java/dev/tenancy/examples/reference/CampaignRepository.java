package dev.tenancy.examples.reference;

import org.springframework.data.jpa.repository.JpaRepository;

/** A plain Spring Data repository: it sees only the current tenant's campaigns. */
public interface CampaignRepository extends JpaRepository<Campaign, Long> {
    long countByStatus(String status);
}
