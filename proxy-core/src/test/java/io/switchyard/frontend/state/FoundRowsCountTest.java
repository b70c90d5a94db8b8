package io.switchyard.frontend.state;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FoundRowsCountTest {

    @Test
    void aQuerysResultSetShowsTheCount() {
        for (String sql : new String[] {"SELECT * FROM t", "  (SELECT 1 UNION SELECT 2)", "WITH c AS (SELECT 1) SELECT * FROM c",
                "/* hint */ SELECT a FROM t FOR UPDATE"}) {
            assertThat(FoundRowsCount.shownByResponse(sql, true)).as(sql).isTrue();
        }
    }

    @Test
    void otherResultSetsDoNot() {
        for (String sql : new String[] {"SHOW WARNINGS", "VALUES (1), (2)", "CHECKSUM TABLE t", "SHOW TABLES", "DESCRIBE t",
                "EXPLAIN SELECT 1", "CALL p()", "EXECUTE s", "INSERT INTO t VALUES (1) RETURNING id"}) {
            assertThat(FoundRowsCount.shownByResponse(sql, true)).as(sql).isFalse();
        }
        assertThat(FoundRowsCount.shownByResponse(null, true)).as("a command without text").isFalse();
    }

    @Test
    void anOkLeavesTheCountUnlessTheStatementHasAQueryOfItsOwn() {
        for (String sql : new String[] {"DO 1", "SET @a = 1", "UPDATE t SET a = 1", "DELETE FROM t", "INSERT INTO t VALUES (1)",
                "INSERT INTO selection VALUES (1)", "CREATE TABLE t (a INT)", "USE db"}) {
            assertThat(FoundRowsCount.shownByResponse(sql, false)).as(sql).isTrue();
        }
        for (String sql : new String[] {"SELECT 1 INTO @x", "INSERT INTO t SELECT * FROM u", "REPLACE INTO t (SELECT 1)",
                "CREATE TABLE t AS SELECT 1", "CREATE OR REPLACE TABLE t SELECT 1", "EXECUTE s", "CALL p()",
                "DO (SELECT 1)"}) {
            assertThat(FoundRowsCount.shownByResponse(sql, false)).as(sql).isFalse();
        }
        assertThat(FoundRowsCount.shownByResponse(null, false)).as("COM_INIT_DB").isTrue();
    }

    @Test
    void showWarningsAndShowErrorsLeaveTheCount() {
        for (String sql : new String[] {"SHOW WARNINGS", "show errors", " SHOW WARNINGS LIMIT 10", "SHOW ERRORS LIMIT 1, 2;"}) {
            assertThat(FoundRowsCount.leftByDiagnostics(sql)).as(sql).isTrue();
        }
        for (String sql : new String[] {"SHOW COUNT(*) WARNINGS", "SHOW WARNINGS; SELECT 1", "SHOW TABLES", "SELECT 1", "SHOW VARIABLES"}) {
            assertThat(FoundRowsCount.leftByDiagnostics(sql)).as(sql).isFalse();
        }
        assertThat(FoundRowsCount.leftByDiagnostics(null)).isFalse();
    }
}
