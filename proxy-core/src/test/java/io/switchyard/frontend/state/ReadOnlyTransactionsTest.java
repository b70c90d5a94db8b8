package io.switchyard.frontend.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.frontend.state.ReadOnlyTransactions.Inside;
import io.switchyard.frontend.state.ReadOnlyTransactions.Start;
import org.junit.jupiter.api.Test;

class ReadOnlyTransactionsTest {

    private static Inside inside(String sql) {
        return ReadOnlyTransactions.inside(sql, StatementClassifier.classify(sql));
    }

    @Test
    void startsTellTheAccessMode() {
        assertThat(ReadOnlyTransactions.start("START TRANSACTION READ ONLY")).isEqualTo(Start.READ_ONLY);
        assertThat(ReadOnlyTransactions.start("start transaction with consistent snapshot, read only;")).isEqualTo(Start.READ_ONLY);
        assertThat(ReadOnlyTransactions.start("/* app */ START TRANSACTION READ WRITE")).isEqualTo(Start.READ_WRITE);
        assertThat(ReadOnlyTransactions.start("START TRANSACTION READ ONLY, READ WRITE")).isEqualTo(Start.READ_WRITE);
        assertThat(ReadOnlyTransactions.start("BEGIN")).isEqualTo(Start.SESSION_MODE);
        assertThat(ReadOnlyTransactions.start("begin work")).isEqualTo(Start.SESSION_MODE);
        assertThat(ReadOnlyTransactions.start("START TRANSACTION")).isEqualTo(Start.SESSION_MODE);
        assertThat(ReadOnlyTransactions.start("BEGIN NOT ATOMIC SELECT 1; END")).isEqualTo(Start.NONE);
        assertThat(ReadOnlyTransactions.start("START TRANSACTION READ ONLY; INSERT INTO t VALUES (1)")).isEqualTo(Start.NONE);
        assertThat(ReadOnlyTransactions.start("START SLAVE")).isEqualTo(Start.NONE);
        assertThat(ReadOnlyTransactions.start("SELECT 'START TRANSACTION READ ONLY'")).isEqualTo(Start.NONE);
        assertThat(ReadOnlyTransactions.start("/* a */ -- b\n  # c\n START TRANSACTION READ ONLY")).isEqualTo(Start.READ_ONLY);
        assertThat(ReadOnlyTransactions.start("/*!40101 START TRANSACTION READ ONLY */")).isEqualTo(Start.READ_ONLY);
    }

    @Test
    void readsAndWritesStayOnTheReader() {
        assertThat(inside("SELECT a FROM t WHERE id = 1")).isEqualTo(Inside.STAYS);
        assertThat(inside("WITH x AS (SELECT 1) SELECT * FROM x")).isEqualTo(Inside.STAYS);
        assertThat(inside("SHOW TABLES")).isEqualTo(Inside.STAYS);
        assertThat(inside("SET SESSION sql_mode = ''")).isEqualTo(Inside.STAYS);
        assertThat(inside("SAVEPOINT a")).isEqualTo(Inside.STAYS);
        assertThat(inside("ROLLBACK TO SAVEPOINT a")).isEqualTo(Inside.STAYS);
        assertThat(inside("UPDATE t SET a = 1")).as("fails with 1792 there as on the primary").isEqualTo(Inside.STAYS);
        assertThat(inside("INSERT INTO t VALUES (1)")).isEqualTo(Inside.STAYS);
        assertThat(inside("COMMIT")).isEqualTo(Inside.ENDS);
        assertThat(inside("rollback")).isEqualTo(Inside.ENDS);
    }

    @Test
    void implicitCommitsEndTheTransactionFirst() {
        for (String sql : new String[] {"CREATE TABLE t2 (a INT)", "ALTER TABLE t ADD b INT", "DROP TABLE t",
                "TRUNCATE TABLE t", "BEGIN", "START TRANSACTION READ WRITE", "LOCK TABLES t READ", "GRANT SELECT ON *.* TO u",
                "ANALYZE TABLE t", "RENAME TABLE t TO t3", "CREATE OR REPLACE VIEW v AS SELECT 1"}) {
            assertThat(inside(sql)).as(sql).isEqualTo(Inside.COMMITS_FIRST);
        }
    }

    @Test
    void whatWouldStayOnTheReaderConnectionOrLockMovesTheTransaction() {
        for (String sql : new String[] {"SELECT @x := a FROM t", "SET @x = 1", "SELECT a FROM t FOR UPDATE",
                "SELECT a FROM t LOCK IN SHARE MODE", "SELECT GET_LOCK('a', 0)", "CALL p()", "CREATE TEMPORARY TABLE tt (a INT)",
                "CREATE OR REPLACE TEMPORARY TABLE tt (a INT)", "DROP TEMPORARY TABLE tt", "PREPARE s FROM 'SELECT 1'",
                "LOAD DATA INFILE 'x' INTO TABLE t", "HANDLER t OPEN", "SELECT 1; SELECT 2", "XA START 'x'",
                "BEGIN NOT ATOMIC SELECT 1; END"}) {
            assertThat(inside(sql)).as(sql).isEqualTo(Inside.MOVE);
        }
    }
}
