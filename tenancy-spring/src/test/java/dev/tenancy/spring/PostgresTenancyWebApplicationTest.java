package dev.tenancy.spring;

import dev.tenancy.testkit.TestDatabase;

class PostgresTenancyWebApplicationTest extends TenancyWebApplicationContract {
    @Override
    TestDatabase database() {
        return TestDatabase.postgres();
    }
}
