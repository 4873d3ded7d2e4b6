-- Per-tenant settings: one row per tenant and section (branding, security, ...), the section's
-- JSON as text, so that every database stores it alike.

CREATE TABLE tenancy_tenant_settings (
    tenant_id  VARCHAR(48)  NOT NULL,
    section    VARCHAR(64)  NOT NULL,
    settings   VARCHAR(65535) NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_by VARCHAR(200) NOT NULL,
    PRIMARY KEY (tenant_id, section)
);
