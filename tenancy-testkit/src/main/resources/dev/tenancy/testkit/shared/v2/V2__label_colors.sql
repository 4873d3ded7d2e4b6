-- A second shared migration, rolled out after shared tenants exist.
ALTER TABLE labels ADD COLUMN color VARCHAR(16) DEFAULT 'grey' NOT NULL;
