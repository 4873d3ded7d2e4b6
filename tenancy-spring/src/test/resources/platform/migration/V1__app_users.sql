-- A platform-wide table of the application's own, migrated by Spring Boot's Flyway.
CREATE TABLE app_users (email VARCHAR(200) PRIMARY KEY);
