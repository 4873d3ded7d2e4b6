package dev.tenancy.testkit;

import dev.tenancy.IsolationModel;

class H2DatabaseIsolationTest extends IsolationContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.H2;
    }

    @Override
    protected IsolationModel model() {
        return IsolationModel.DATABASE;
    }
}
