package dev.tenancy.examples.reference;

import dev.tenancy.access.AccessPolicy;
import dev.tenancy.access.Permission;
import dev.tenancy.catalog.TenantCatalog;
import dev.tenancy.jdbc.TenantDataSource;
import dev.tenancy.provision.SharedTable;
import dev.tenancy.provision.TenantProvisioner;
import dev.tenancy.settings.SettingsSection;
import dev.tenancy.spring.TenancyPlatform;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import javax.sql.DataSource;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The reference app: a small multi-tenant campaigns service ({@code /api/**}, served as the
 * request's tenant) and the platform admin console ({@code /admin/}, served as no tenant, for
 * platform staff). Everything multi-tenant comes from {@code tenancy-spring}; this class adds only
 * what is the application's own: its users, its permissions, its shared tables and its seed.
 *
 * <pre>
 * ./mvnw -q -Pdemo -pl examples/reference -am verify -DskipTests
 * curl -H 'X-Tenant-ID: acme' localhost:8080/api/campaigns
 * open http://localhost:8080/admin/   (admin / admin)
 * </pre>
 */
@SpringBootApplication
public class ReferenceApplication {

    public static void main(String[] args) {
        SpringApplication.run(ReferenceApplication.class, args);
    }

    /**
     * The admin console needs a platform login: people sign in on a login page and sign out from the
     * console (a session cookie); scripts call {@code /admin/api/**} with Basic authentication. The
     * tenants' API is open (it is a demo) and stateless.
     */
    @Bean
    SecurityFilterChain security(HttpSecurity http) {
        return http.authorizeHttpRequests(requests -> requests.requestMatchers("/admin", "/admin/**")
                        .authenticated()
                        .anyRequest()
                        .permitAll())
                .formLogin(login -> login.defaultSuccessUrl("/admin/", true))
                .logout(logout -> logout.logoutSuccessUrl("/login?logout"))
                .httpBasic(Customizer.withDefaults())
                .csrf(csrf -> csrf.spa().ignoringRequestMatchers("/api/**", "/t/**", "/join/**"))
                .build();
    }

    /**
     * Demo platform staff (password = user name). A real deployment signs staff in through its
     * identity provider; the role becomes the {@code Actor}'s role.
     */
    @Bean
    UserDetailsService platformStaff() {
        return new InMemoryUserDetailsManager(
                User.withUsername("admin")
                        .password("{noop}admin")
                        .roles(AccessPolicy.SYSTEM_ADMIN)
                        .build(),
                User.withUsername("sales")
                        .password("{noop}sales")
                        .roles("sales_ops")
                        .build(),
                User.withUsername("support")
                        .password("{noop}support")
                        .roles("support")
                        .build());
    }

    /** The tenants' branding settings; the starter builds {@code TenantSettings} from the sections. */
    @Bean
    SettingsSection<Settings.Branding> brandingSettings() {
        return SettingsSection.of("branding", Settings.Branding.class, Settings.Branding.DEFAULT);
    }

    /** The tenants' security settings. */
    @Bean
    SettingsSection<Settings.Security> securitySettings() {
        return SettingsSection.of("security", Settings.Security.class, Settings.Security.DEFAULT);
    }

    /** The admin manual's roles: system admins get the defaults; sales and support get less. */
    /**
     * The plan's seats, as the starter's meter measures them: the team members who joined and the
     * invitations still open (each holds a seat until it is accepted, cancelled or expires).
     */
    @Bean
    dev.tenancy.billing.UsageGauge seats(dev.tenancy.access.Invitations invitations) {
        return dev.tenancy.billing.UsageGauge.of(
                dev.tenancy.billing.Metric.USERS,
                tenant -> invitations.ofTenant(tenant).stream()
                        .filter(i -> i.status() == dev.tenancy.access.Invitation.Status.ACCEPTED
                                || i.status() == dev.tenancy.access.Invitation.Status.PENDING)
                        .count());
    }

    @Bean
    AccessPolicy accessPolicy() {
        return AccessPolicy.builder()
                .grant(AccessPolicy.SYSTEM_ADMIN, AccessPolicy.SYSTEM_ADMIN_DEFAULTS)
                .grant(
                        "sales_ops",
                        Permission.TENANTS_LIST,
                        Permission.TENANTS_READ,
                        Permission.BILLING_READ,
                        Permission.BILLING_UPDATE,
                        Permission.ANALYTICS_READ)
                .grant("support", Permission.TENANTS_LIST, Permission.TENANTS_READ, Permission.IMPERSONATION_START)
                .build();
    }

    /**
     * Provisioning with the app's migrations (its own tables in each schema or database tenant,
     * the shared model's once per server, under row-level security) and a seed of two campaigns. Later releases' migrations
     * reach existing tenants through the starter's fleet migration at start-up.
     */
    @Bean
    TenantProvisioner tenantProvisioner(
            TenantCatalog catalog, TenantDataSource tenants, @TenancyPlatform DataSource platform) {
        return TenantProvisioner.builder()
                .catalog(catalog)
                .dataSource(tenants)
                .platform(platform)
                .migrations("classpath:db/tenant")
                .sharedMigrations("classpath:db/shared")
                // On PostgreSQL the shared table is under (signed) row-level security: tenant SQL sees its own rows
                // only.
                .rowLevelSecurity(SharedTable.of("campaigns", "tenant_id"))
                .seed((tenant, connection) -> {
                    try (PreparedStatement insert = connection.prepareStatement(
                            "INSERT INTO campaigns (tenant_id, name, status, created_at) VALUES (?, ?, ?, ?)")) {
                        for (String name : new String[] {"Welcome series", "Spring newsletter"}) {
                            insert.setString(1, tenant.id().value());
                            insert.setString(2, tenant.displayName() + ": " + name);
                            insert.setString(3, "DRAFT");
                            insert.setTimestamp(4, Timestamp.from(Instant.now()));
                            insert.addBatch();
                        }
                        insert.executeBatch();
                    }
                })
                .build();
    }
}
