package dev.tenancy.examples.reference;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReadyBannerTest {

    @Test
    void theDemoSaysWhereTheConsoleIsAndHowToSignIn() {
        assertThat(ReadyBanner.banner("http://localhost:8080"))
                .contains("http://localhost:8080/admin/", "admin/admin", "sales/sales", "support/support")
                .contains("curl -H 'X-Tenant-ID: acme' http://localhost:8080/api/campaigns");
    }
}
