package dev.tenancy.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenancy.jdbc.TenantDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceInitializationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Spring Boot's Flyway and {@code spring.sql.init} scripts, in an application whose primary {@code
 * DataSource} is the routing one: they run on the platform database instead of failing the start.
 */
class PlatformInitializationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    TenancyAutoConfiguration.class,
                    TenancyPlatformInitializationAutoConfiguration.class,
                    DataSourceAutoConfiguration.class,
                    DataSourceInitializationAutoConfiguration.class,
                    FlywayAutoConfiguration.class))
            .withPropertyValues(
                    "spring.datasource.url=jdbc:h2:mem:platform-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
                    "spring.flyway.locations=classpath:platform/migration",
                    "spring.sql.init.mode=always",
                    "spring.sql.init.schema-locations=classpath:platform/schema.sql");

    @Test
    void bootsFlywayAndSqlScripts_runOnThePlatformDatabase() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(DataSource.class)).isInstanceOf(TenantDataSource.class);
            DataSource platform = context.getBeansOfType(DataSource.class).values().stream()
                    .filter(d -> !(d instanceof TenantDataSource))
                    .findFirst()
                    .orElseThrow();
            assertThat(context.getBean(Flyway.class).getConfiguration().getDataSource())
                    .isSameAs(platform);
            assertThat(tables(platform)).contains("APP_USERS", "APP_SETTINGS", "flyway_schema_history");
        });
    }

    @Test
    void aFlywayUrlOfTheApplications_isKept() {
        String elsewhere = "jdbc:h2:mem:elsewhere-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        runner.withPropertyValues("spring.flyway.url=" + elsewhere, "spring.flyway.user=sa")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    DataSource flyway =
                            context.getBean(Flyway.class).getConfiguration().getDataSource();
                    try (Connection c = flyway.getConnection()) {
                        assertThat(c.getMetaData().getURL()).startsWith(elsewhere.substring(0, 30));
                    }
                });
    }

    private static java.util.List<String> tables(DataSource dataSource) throws Exception {
        try (Connection c = dataSource.getConnection();
                ResultSet rs = c.getMetaData().getTables(null, "PUBLIC", "%", new String[] {"TABLE"})) {
            java.util.List<String> names = new java.util.ArrayList<>();
            while (rs.next()) {
                names.add(rs.getString("TABLE_NAME"));
            }
            return names;
        }
    }
}
