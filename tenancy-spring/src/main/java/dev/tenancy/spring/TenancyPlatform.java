package dev.tenancy.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.beans.factory.annotation.Qualifier;

/**
 * Qualifies the platform {@code DataSource}: the control-plane database (catalog, audit log,
 * flags), reached without a tenant. The application's other {@code DataSource}, the primary one,
 * is the routing {@code TenantDataSource}.
 *
 * <pre>{@code
 * @Bean
 * JdbcTemplate platformJdbc(@TenancyPlatform DataSource platform) {
 *     return new JdbcTemplate(platform);
 * }
 * }</pre>
 *
 * <p>Declare a {@code DataSource} bean with this qualifier to replace the one Tenancy builds from
 * {@code spring.datasource.*}.
 */
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Qualifier
public @interface TenancyPlatform {}
