package dev.tenancy.examples.reference;

import dev.tenancy.testkit.TestDatabase;

class H2ReferenceAppTest extends ReferenceAppContract {
    @Override
    TestDatabase database() {
        return TestDatabase.h2();
    }
}
