package dev.tenancy.billing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenancy.TenantId;
import dev.tenancy.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tenants without a subscription (every id the catalog does not know among them) are denied and
 * leave nothing behind: no allowance in memory, no counter row in the database (PostgreSQL).
 */
class UnknownTenantsMeterTest {
    private BillingFixture f;

    @BeforeEach
    void setUp() {
        f = new BillingFixture(TestDatabase.Kind.POSTGRESQL);
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    private long counterRows() throws Exception {
        try (Connection c = f.database.dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM tenancy.tenancy_usage_counters")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void twoThousandUnknownIds_areDenied_andKeepNothing() throws Exception {
        f.plans.publish(f.metered(100), BillingFixture.ADMIN, "test");
        TenantId acme = f.subscribed("acme", "metered");
        try (UsageMeter meter = f.meter().build()) {
            assertThat(meter.tryConsume(acme, Metric.API_CALLS, 1)).isTrue();
            long rowsWithAcme = counterRows();
            for (int i = 0; i < 2_000; i++) {
                TenantId ghost = TenantId.of("ghost-" + i);
                assertThat(meter.tryConsume(ghost, Metric.API_CALLS, 1)).isFalse();
                assertThat(meter.consume(ghost, Metric.INVOICES, 1).allowed()).isFalse();
            }
            assertThat(meter.tenantsHeld()).as("acme only").isEqualTo(1);
            assertThat(counterRows()).as("no row written for an unknown id").isEqualTo(rowsWithAcme);
        }
    }

    @Test
    void aTenantThatSubscribesLater_isMeteredFromThen() {
        f.plans.publish(f.metered(100), BillingFixture.ADMIN, "test");
        try (UsageMeter meter = f.meter().build()) {
            TenantId late = TenantId.of("late");
            Quota quota = meter.quota(late, Metric.API_CALLS);
            assertThat(quota.tryConsume(1)).isFalse();
            f.subscribed("late", "metered");
            assertThat(meter.tryConsume(late, Metric.API_CALLS, 1)).isTrue();
            assertThat(quota.tryConsume(1))
                    .as("a handle taken before follows the subscription")
                    .isTrue();
        }
    }
}
