-- A host application's first tenant migration, used by the provisioning contract.
CREATE TABLE notes (
    tenant_id VARCHAR(48)  NOT NULL,
    id        INT          NOT NULL,
    body      VARCHAR(200) NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
