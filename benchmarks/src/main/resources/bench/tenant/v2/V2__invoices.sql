CREATE TABLE invoices (id INT PRIMARY KEY, order_id INT NOT NULL, total_cents BIGINT NOT NULL);
