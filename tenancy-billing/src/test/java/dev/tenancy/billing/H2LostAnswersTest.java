package dev.tenancy.billing;

import dev.tenancy.testkit.TestDatabase;

class H2LostAnswersTest extends LostAnswersContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.H2;
    }
}
