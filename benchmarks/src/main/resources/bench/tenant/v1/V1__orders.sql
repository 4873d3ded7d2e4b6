CREATE TABLE orders (id INT PRIMARY KEY, customer VARCHAR(200) NOT NULL, total_cents BIGINT NOT NULL);
CREATE INDEX orders_customer_idx ON orders (customer);
CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(200) NOT NULL);
