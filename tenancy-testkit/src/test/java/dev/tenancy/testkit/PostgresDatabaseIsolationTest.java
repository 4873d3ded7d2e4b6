package dev.tenancy.testkit;

import dev.tenancy.IsolationModel;

class PostgresDatabaseIsolationTest extends IsolationContract {
    @Override
    protected TestDatabase.Kind kind() {
        return TestDatabase.Kind.POSTGRESQL;
    }

    @Override
    protected IsolationModel model() {
        return IsolationModel.DATABASE;
    }
}
