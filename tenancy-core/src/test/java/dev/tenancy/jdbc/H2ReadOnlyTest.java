package dev.tenancy.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What a read-only binding lets through on H2, which has no read-only sessions. */
class H2ReadOnlyTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "SELECT * FROM notes",
                "  select body from notes where body = 'delete; insert'",
                "(SELECT 1) UNION (SELECT 2)",
                "WITH x AS (SELECT 1) SELECT * FROM x",
                "VALUES (1), (2)",
                "TABLE notes",
                "EXPLAIN SELECT * FROM notes",
                "SELECT * FROM notes ORDER BY id FETCH NEXT 10 ROWS ONLY",
                "SELECT \"delete\" FROM notes -- insert\n",
                "SELECT 1;",
                "/* update */ SELECT 1"
            })
    void reads(String sql) {
        assertThat(H2ReadOnly.onlyReads(sql)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "DELETE FROM notes",
                "SELECT 1; DELETE FROM notes",
                "SELECT 1;; DELETE FROM notes",
                "EXPLAIN ANALYZE DELETE FROM notes",
                "SELECT * FROM FINAL TABLE (INSERT INTO notes VALUES (1, 'x'))",
                "SELECT * FROM OLD TABLE (DELETE FROM notes)",
                "SELECT NEXT VALUE FOR seq",
                "VALUES NEXT VALUE FOR seq",
                "SELECT NEXTVAL('seq')",
                "SELECT SETVAL('seq', 1)",
                "SELECT FILE_WRITE('x', '/tmp/x')",
                "SELECT CSVWRITE('/tmp/x', 'SELECT 1')",
                "MERGE INTO notes KEY (id) VALUES (1, 'x')",
                "CALL do_something()",
                "SELECT * FROM notes FOR UPDATE", // as PostgreSQL refuses it in a read-only transaction
                "SELECT 'unterminated",
                "",
                "-- only a comment"
            })
    void writesAndAnythingUnclear_areRefused(String sql) {
        assertThat(H2ReadOnly.onlyReads(sql)).isFalse();
    }
}
