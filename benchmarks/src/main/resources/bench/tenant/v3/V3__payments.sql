CREATE TABLE payments (id INT PRIMARY KEY, invoice_id INT NOT NULL, amount_cents BIGINT NOT NULL);
