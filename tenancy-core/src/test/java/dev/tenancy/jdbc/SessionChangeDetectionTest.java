package dev.tenancy.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which SQL a borrower runs makes Tenancy bind its connection again before the next borrower. */
class SessionChangeDetectionTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "SET search_path TO t_other",
                "set role admin",
                "  \n\tSET ROLE admin",
                "RESET ALL",
                "reset tenancy.tenant_id",
                "DISCARD ALL",
                "select 1; set role admin",
                "SELECT 1;\nreset role",
                "/* hint */ SET ROLE admin",
                "-- a comment\nSET ROLE admin",
                "SELECT set_config('tenancy.tenant_id', 'other', false)",
                "SELECT SET_CONFIG('search_path', 'x', true)",
                "SELECT current_setting('search_path')",
                "DO $$ BEGIN PERFORM pg_catalog.set_config('x', 'y', false); END $$",
                "SET SESSION AUTHORIZATION other",
                "select * from t where x = current_setting('TENANCY.TENANT_ID')",
                "SET",
                "select bn1_0.id from notes bn1_0 where bn1_0.id = current_setting('search_path')",
                "SELECT 1; /* a note */ -- and another\n  reset search_path",
                "select pg_catalog.SET_CONFIG('x', 'y', false) from t_1",
                "/* search_path */ SELECT 1",
                "_1 and search_path",
            })
    void sessionChanges_areDetected(String sql) {
        assertThat(BoundConnection.mayChangeSession(sql)).as(sql).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "SELECT 1",
                "UPDATE orders SET total = 3 WHERE id = 1",
                "update settings set value = 'x'",
                "INSERT INTO settings(key, value) VALUES ('a', 'b')",
                "SELECT * FROM user_roles",
                "SELECT offset_value FROM resets",
                "SELECT setting FROM t",
                "select bn1_0.id,bn1_0.body,bn1_0.tenant_id from notes bn1_0 where bn1_0.id=? and bn1_0.tenant_id=?",
                "update notes set body=? where id=? and tenant_id=?",
                "select tenant_id from tenancy_tenants where status_reason is null",
                "WITH x AS (SELECT 1) SELECT * FROM x",
                "",
                "   ",
            })
    void ordinarySql_isNot(String sql) {
        assertThat(BoundConnection.mayChangeSession(sql)).as(sql).isFalse();
    }
}
