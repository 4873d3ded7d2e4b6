package dev.tenancy.spring;

import dev.tenancy.testkit.TestDatabase;

class H2TenancyWebApplicationTest extends TenancyWebApplicationContract {
    @Override
    TestDatabase database() {
        return TestDatabase.h2();
    }
}
