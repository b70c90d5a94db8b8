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
    void resultsOfDiagnosticsAndOfStatementsThatAreNotQueriesLeaveTheCountWhereCheckedSo() {
        for (String sql : new String[] {"SHOW WARNINGS", "show errors", " SHOW WARNINGS LIMIT 10", "SHOW ERRORS LIMIT 1, 2;",
                "VALUES (1), (2)", "values (1) limit 1", "CHECKSUM TABLE t", "checksum table t, u extended", "ANALYZE TABLE t",
                "ANALYZE NO_WRITE_TO_BINLOG TABLE t", "CHECK TABLE t", "OPTIMIZE LOCAL TABLE t", "REPAIR TABLE t", "HELP 'contents'",
                "SHOW CREATE TABLE t", "show create procedure p", "SHOW GRANTS", "SHOW FULL PROCESSLIST", "SHOW PROCESSLIST",
                "SHOW ENGINE INNODB STATUS", "SHOW MASTER STATUS", "SHOW SLAVE STATUS", "SHOW PRIVILEGES", "SHOW PROFILES"}) {
            assertThat(FoundRowsCount.leftByResult(sql)).as(sql).isTrue();
        }
        for (String sql : new String[] {"SHOW COUNT(*) WARNINGS", "SHOW WARNINGS; SELECT 1", "SHOW TABLES", "SELECT 1", "SHOW VARIABLES",
                "SHOW ENGINES", "EXPLAIN SELECT 1", "DESCRIBE t", "ANALYZE SELECT * FROM t", "SHOW COLUMNS FROM t",
                "SELECT * FROM t WHERE c = 'VALUES'", "CHECKSUMS", "SHOW CREATED"}) {
            assertThat(FoundRowsCount.leftByResult(sql)).as(sql).isFalse();
        }
        assertThat(FoundRowsCount.leftByResult(null)).isFalse();
    }
}
