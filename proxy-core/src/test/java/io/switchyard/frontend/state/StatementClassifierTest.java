package io.switchyard.frontend.state;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StatementClassifierTest {

    private static StatementTraits of(String sql) {
        return StatementClassifier.classify(sql);
    }

    @Test
    void plainStatementsNeitherPinNorReadBack() {
        for (String sql : new String[] {"SELECT 1", "INSERT INTO t VALUES ('a@b.com')", "SELECT '@x', `@y` FROM t",
                "UPDATE t SET a = 1 /* @v */", "USE db", "BEGIN", "COMMIT", "SET TRANSACTION ISOLATION LEVEL READ COMMITTED"}) {
            StatementTraits t = of(sql);
            assertThat(t.pins()).as(sql).isEmpty();
            assertThat(t.trustedReports()).as(sql).isTrue();
            assertThat(t.charset()).as(sql).isFalse();
        }
    }

    @Test
    void aPlainSelectTakesTheOnePassCheckAndAnythingThatMightMatterGoesToTheLexer() {
        assertThat(of("SELECT c FROM sbtest1 WHERE id=4711")).isSameAs(StatementTraits.PLAIN);
        assertThat(of("  select c from t where k between 1 and 9 order by c")).isSameAs(StatementTraits.PLAIN);
        assertThat(of("SELECT c FROM t ORDER BY c LIMIT 20, 10")).isEqualTo(StatementTraits.plainLimited(20));
        for (String sql : new String[] {"SELECT @x", "SELECT 1; SELECT 2", "SELECT 1 # x", "SELECT 1 -- x", "SELECT /*!50000 1 */",
                "SELECT a FROM t FOR UPDATE LOCK IN SHARE MODE", "SELECT a INTO OUTFILE '/tmp/x' FROM t", "SELECT FOUND_ROWS()",
                "SELECT row_count()", "SELECT last_insert_id()", "SELECT connection_id()", "SELECT * FROM SESSION_STATUS",
                "SELECT * FROM information_schema.session_variables", "SELECT GET_LOCK('x', 0)"}) {
            assertThat(of(sql)).as(sql).isNotSameAs(StatementTraits.PLAIN).isNotEqualTo(StatementTraits.PLAIN_LIMITED);
        }
    }

    /** Each verdict checked against MariaDB 10.11: does {@code SHOW COUNT(*) WARNINGS} still count the last statement's warnings after it? */
    @Test
    void statementsUsingTablesAreToldFromThoseThatLeaveTheLastWarnings() {
        for (String sql : new String[] {"SELECT * FROM t", "SELECT * FROM t.w AS x JOIN t.w y ON 0", "SELECT * FROM `t`",
                "SELECT (SELECT COUNT(*) FROM t)", "SELECT * FROM (SELECT 1) x", "WITH a AS (SELECT 1) SELECT * FROM a",
                "SELECT n INTO @x FROM t LIMIT 1", "INSERT INTO t SELECT 1 FROM dual WHERE 0", "UPDATE t SET a = 1",
                "DELETE FROM t", "REPLACE INTO t VALUES (1)", "SET @x = (SELECT MAX(a) FROM t)", "SELECT 1; SELECT a FROM t"}) {
            assertThat(TableUse.usesTables(sql)).as(sql).isTrue();
        }
        for (String sql : new String[] {"SELECT 1", "SELECT 1 FROM dual", "SELECT 1 FROM DUAL WHERE EXISTS (SELECT 1)",
                "SELECT EXTRACT(YEAR FROM NOW())", "SELECT TRIM(LEADING 'x' FROM 'xa')", "SELECT 1 INTO @x", "SET @a = 1",
                "SET SESSION sql_mode = ''", "DO 1", "BEGIN", "USE t", "SELECT LAST_INSERT_ID(5)", "SELECT 'from t'",
                "SELECT @@warning_count", "SELECT 1 /* FROM t */", "PREPARE s FROM 'SELECT a FROM t'"}) {
            assertThat(TableUse.usesTables(sql)).as(sql).isFalse();
        }
    }

    @Test
    void userVariablesPinWhereverTheyAppear() {
        for (String sql : new String[] {"SET @l = 1", "UPDATE t1 SET name = CONCAT(name, @l := @l + 1)",
                "SELECT a INTO @v FROM t", "SELECT @v", "SET sql_mode = '', @x = 2", "SELECT @`odd name`"}) {
            assertThat(of(sql).pins()).as(sql).contains(PinReason.USER_VARIABLE);
        }
    }

    @Test
    void storedProgramsAndDynamicSqlPinAndAreNotTrusted() {
        for (String sql : new String[] {"CALL p1()", "EXECUTE IMMEDIATE 'SET @a = 1'", "EXECUTE s",
                "BEGIN NOT ATOMIC SELECT 1; SELECT 2; END",
                "FOR rec IN (SELECT 1 AS x) DO SELECT rec.x; END FOR", "lbl: LOOP LEAVE lbl; END LOOP"}) {
            StatementTraits t = of(sql);
            assertThat(t.pins()).as(sql).contains(PinReason.STORED_PROGRAM);
            assertThat(t.trustedReports()).as(sql).isFalse();
        }
    }

    /** The session-tracking settings read as the client's own only on a connection that has them. */
    @Test
    void aReadOfTheSessionTrackingSettingsIsTold() {
        for (String read : new String[] {"SELECT @@session_track_system_variables", "SELECT @@session.session_track_schema, 1",
                "SELECT 1 FROM DUAL WHERE @@SESSION_TRACK_STATE_CHANGE = 1", "SET @x = @@session_track_transaction_info",
                "SHOW VARIABLES", "SHOW SESSION VARIABLES LIKE 'session_track%'", "SHOW VARIABLES LIKE '%track\\_schema'",
                "SHOW LOCAL VARIABLES WHERE Variable_name = 'autocommit'",
                "SELECT * FROM information_schema.SESSION_VARIABLES WHERE VARIABLE_NAME LIKE 'SESSION%'",
                "SELECT * FROM information_schema.`session_variables`"}) {
            assertThat(of(read).readsTracking()).as(read).isTrue();
        }
        for (String other : new String[] {"SELECT @@global.session_track_system_variables", "SHOW GLOBAL VARIABLES",
                "SHOW VARIABLES LIKE 'max%'", "SHOW VARIABLES LIKE 'session\\_track'", "SELECT 'session_track_schema'",
                "SET @@session.session_track_system_variables = 'autocommit'", "SET session_track_schema = OFF",
                "SELECT * FROM information_schema.GLOBAL_VARIABLES"}) {
            assertThat(of(other).readsTracking()).as(other).isFalse();
        }
        assertThat(of("SET @@session.session_track_system_variables = 'autocommit'").tracking()).isTrue();
    }

    @Test
    void takingOrReadingASequenceValuePins() {
        for (String takes : new String[] {"SELECT NEXTVAL(s)", "select nextval(app.s), 1", "SELECT NEXT VALUE FOR s",
                "INSERT INTO t (id) VALUES (NEXT VALUE FOR s)", "DO NEXTVAL(s)", "SELECT s.nextval FROM dual",
                "SELECT 1; SELECT next value for `s`"}) {
            StatementTraits traits = of(takes);
            assertThat(traits.pins()).as(takes).containsExactly(PinReason.SEQUENCE);
            assertThat(traits.readsPrevious()).as(takes).isFalse();
        }
        for (String reads : new String[] {"SELECT LASTVAL(s)", "SELECT PREVIOUS VALUE FOR app.s, 2",
                "SELECT s.currval FROM dual", "select lastval(s)"}) {
            StatementTraits traits = of(reads);
            assertThat(traits.pins()).as(reads).containsExactly(PinReason.SEQUENCE);
            assertThat(traits.readsPrevious()).as("the last value an INSERT's column default took: %s", reads).isTrue();
        }
        for (String other : new String[] {"SELECT 'NEXTVAL(s)', nextval FROM t", "SELECT SETVAL(s, 10)",
                "SELECT next_id, previous FROM t", "SELECT * FROM s", "SELECT lastval FROM t"}) {
            assertThat(of(other).pins()).as(other).isEmpty();
        }
    }

    @Test
    void theStoredFunctionsAStatementMayCallAreNamed() {
        for (String sql : new String[] {"SELECT take_lock()", "SELECT id, app.take_lock(id) FROM t", "SELECT `now`()",
            "DO my_func(1)", "SET sql_mode = my_mode()", "INSERT INTO t (a) VALUES (f(1))", "UPDATE t SET a = f(a)",
            "DELETE FROM t WHERE a = f(1)", "SELECT * FROM t WHERE a IN (SELECT f(b) FROM u)",
            "WITH c (a) AS (SELECT f(1)) SELECT a FROM c", "SELECT status(1)", "SELECT COUNT(*), take_lock() FROM t",
            "SELECT EXTRACT(YEAR FROM f(d)), TRIM(LEADING 'x' FROM g(c)) FROM t", "INSERT INTO t SELECT * FROM u JOIN v ON f(u.a)"}) {
            assertThat(of(sql).functions()).as(sql).isNotEmpty();
            assertThat(of(sql).pins()).as(sql).isEmpty();
        }
        assertThat(of("SELECT id, app.take_lock(id), Take_Lock(1), `f`(2) FROM t").functions()).containsExactly(
                new StoredFunctionCalls.Call("app", "take_lock"), new StoredFunctionCalls.Call(null, "take_lock"),
                new StoredFunctionCalls.Call(null, "f"));
        for (String sql : new String[] {"SELECT NOW(), CONCAT('a', 'b'), COUNT(*) FROM t WHERE a IN (1, 2)",
            "INSERT INTO t (a, b) VALUES (1, 2)", "INSERT IGNORE t (a) SELECT a FROM u", "REPLACE INTO app.t (a) VALUES (1)",
            "WITH RECURSIVE c (k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM c WHERE k < 3), d (x) AS (SELECT 2) SELECT k FROM c, d",
            "SELECT CAST(d AS DATETIME(6)), CONVERT(x, DECIMAL(10, 2)), CHAR(65 USING utf8mb4) FROM t",
            "SELECT * FROM t USE INDEX (k) JOIN u USING (id) WHERE MATCH (a) AGAINST ('x')",
            "SELECT * FROM JSON_TABLE('[1]', '$[*]' COLUMNS (v INT PATH '$')) AS j",
            "SELECT * FROM (SELECT 1, 2) AS d (a, b)", "SELECT ROW_NUMBER() OVER (PARTITION BY a ORDER BY b) FROM t",
            "SELECT 'take_lock()' FROM t", "CREATE TABLE t2 (a INT DEFAULT (f()))", "SELECT NEXTVAL(s)",
            "LOAD DATA INFILE 'x' INTO TABLE t (a, b)", "SELECT GREATEST(1, 2), JSON_OBJECT('a', 1), UUID()", "SELECT ST_AsText(POINT(1, 2))"}) {
            assertThat(of(sql).functions()).as(sql).isEmpty();
        }
    }

    @Test
    void aFunctionBodyMayLeaveStateTheServerDoesNotReportWhenItLocksUsesASequenceOrCallsStoredCode() {
        for (String body : new String[] {"RETURN GET_LOCK(n, 0)", "RETURN NEXTVAL(s)", "RETURN NEXT VALUE FOR s",
            "RETURN LASTVAL(s)", "BEGIN CALL p(); RETURN 1; END", "RETURN other_function(1)", "RETURN app.f(1) + 1",
            "BEGIN EXECUTE IMMEDIATE 'SELECT 1'; RETURN 1; END"}) {
            assertThat(StoredFunctionCalls.mayLeaveUnreportedState(body)).as(body).isTrue();
        }
        for (String body : new String[] {"RETURN v + 1", "BEGIN SET @fn_out = v; RETURN v; END",
            "BEGIN DECLARE x DECIMAL(10, 2) DEFAULT 0; SELECT COUNT(*) INTO x FROM t WHERE a = CONCAT(v, 'x'); RETURN x; END",
            "BEGIN INSERT INTO log (a, b) VALUES (v, NOW()); RETURN 'GET_LOCK(x)'; END"}) {
            assertThat(StoredFunctionCalls.mayLeaveUnreportedState(body)).as(body).isFalse();
        }
    }

    @Test
    void locksHandlersPreparesAndTemporaryTablesPin() {
        assertThat(of("SELECT GET_LOCK('a', 0)").pins()).containsExactly(PinReason.ADVISORY_LOCK);
        assertThat(of("SELECT CONNECTION_ID()").pins()).containsExactly(PinReason.CONNECTION_ID);
        assertThat(of("SELECT 'CONNECTION_ID()', connection_id").pins()).isEmpty();
        assertThat(of("FLUSH STATUS").pins()).containsExactly(PinReason.SESSION_STATUS);
        assertThat(of("SHOW STATUS LIKE 'Handler%'").pins()).containsExactly(PinReason.SESSION_STATUS);
        assertThat(of("SHOW SESSION STATUS").pins()).containsExactly(PinReason.SESSION_STATUS);
        assertThat(of("SHOW GLOBAL STATUS").pins()).as("server-wide counters").isEmpty();
        assertThat(of("SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME = 'COM_SELECT'").pins())
                .containsExactly(PinReason.SESSION_STATUS);
        assertThat(of("SELECT * FROM information_schema.`session_status`").pins()).containsExactly(PinReason.SESSION_STATUS);
        assertThat(of("SELECT * FROM information_schema.GLOBAL_STATUS").pins()).isEmpty();
        assertThat(of("SHOW VARIABLES LIKE 'status'").pins()).isEmpty();
        assertThat(of("LOCK TABLES t READ").pins()).containsExactly(PinReason.TABLE_LOCK);
        assertThat(of("FLUSH TABLES WITH READ LOCK").pins()).containsExactly(PinReason.TABLE_LOCK);
        assertThat(of("HANDLER t OPEN").pins()).containsExactly(PinReason.HANDLER);
        assertThat(of("PREPARE s FROM 'SELECT 1'").pins()).containsExactly(PinReason.PREPARED_STATEMENT);
        assertThat(of("CREATE TEMPORARY TABLE tt (a INT)").pins()).containsExactly(PinReason.TEMPORARY_TABLE);
        assertThat(of("XA START 'x'").pins()).containsExactly(PinReason.XA_TRANSACTION);
    }

    @Test
    void aProcedureDefinitionIsOneStatementThatRunsNothingNow() {
        StatementTraits t = of("CREATE PROCEDURE p() BEGIN SET @x = 1; SELECT GET_LOCK('a', 1); END");

        assertThat(t.pins()).isEmpty();
    }

    @Test
    void setOfSystemVariablesNamesThemAndIsTrusted() {
        StatementTraits t = of("SET SESSION sql_mode = 'ANSI', @@session.time_zone = '+00:00', LOCAL max_recursive_iterations = 5");

        assertThat(t.assigned()).containsExactly("sql_mode", "time_zone", "max_recursive_iterations");
        assertThat(t.trustedReports()).isTrue();
        assertThat(t.pins()).isEmpty();
    }

    @Test
    void setOfGlobalVariablesAssignsNothingInTheSession() {
        assertThat(of("SET GLOBAL max_connections = 10").assigned()).isEmpty();
        assertThat(of("SET @@global.max_connections = 10").assigned()).isEmpty();
    }

    @Test
    void setOfGlobalVariablesNamesWhatNewSessionsStartWith() {
        assertThat(of("SET GLOBAL sql_mode = 'ANSI'").globals()).containsExactly("sql_mode");
        assertThat(of("set @@GLOBAL.Time_Zone = '+01:00'").globals()).containsExactly("time_zone");
        assertThat(of("SET PERSIST sort_buffer_size = 1000000").globals()).containsExactly("sort_buffer_size");
        assertThat(of("SET GLOBAL TRANSACTION ISOLATION LEVEL READ COMMITTED").globals())
                .containsExactly("tx_isolation", "tx_read_only");
        assertThat(of("SET PERSIST_ONLY sort_buffer_size = 1000000").globals()).isEmpty();
        assertThat(of("SET GLOBAL keycache1.key_buffer_size = 1048576").globals()).isEmpty();
        assertThat(of("SET sql_mode = 'ANSI'").globals()).isEmpty();
    }

    @Test
    void aScopeKeywordHoldsForTheAssignmentsAfterItButAnAtAtPrefixOnlyForItsOwn() {
        StatementTraits keyword = of("SET GLOBAL max_sort_length = 2000, sort_buffer_size = 300000, SESSION time_zone = '+01:00', "
                + "div_precision_increment = 6");
        assertThat(keyword.globals()).containsExactly("max_sort_length", "sort_buffer_size");
        assertThat(keyword.assigned()).containsExactly("time_zone", "div_precision_increment");

        StatementTraits prefix = of("SET @@global.max_sort_length = 2000, max_sort_length = 1500");
        assertThat(prefix.globals()).containsExactly("max_sort_length");
        assertThat(prefix.assigned()).containsExactly("max_sort_length");
    }

    @Test
    void characterSetStatementsAskForTheCharsetGroupToBeReadBack() {
        assertThat(of("SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci").charset()).isTrue();
        assertThat(of("SET CHARACTER SET latin1").charset()).isTrue();
        assertThat(of("SET collation_connection = utf8mb4_bin").charset()).isTrue();
        assertThat(of("SET sql_mode = ''").charset()).isFalse();
    }

    @Test
    void mariadbConnectorJsConnectStatementChangesTrackingAndIsReadBack() {
        StatementTraits t = of("set sql_mode=CONCAT(@@sql_mode,',STRICT_TRANS_TABLES'),session_track_system_variables = "
                + "CONCAT(@@global.session_track_system_variables,',tx_isolation'),NAMES utf8mb4");

        assertThat(t.tracking()).isTrue();
        assertThat(t.charset()).isTrue();
        assertThat(t.assigned()).contains("sql_mode", "session_track_system_variables");
        assertThat(t.trustedReports()).isTrue();
        assertThat(t.pins()).isEmpty();
    }

    @Test
    void setWhoseValueCallsUnknownFunctionsIsNotTrusted() {
        assertThat(of("SET sql_mode = my_function()").trustedReports()).isFalse();
        assertThat(of("SET sql_mode = (SELECT 'ANSI')").trustedReports()).isFalse();
    }

    @Test
    void setStatementForMakesItsVariablesTemporaryAndClassifiesTheInnerStatement() {
        StatementTraits t = of("SET STATEMENT max_statement_time = 5 FOR SELECT @x");

        assertThat(t.temporaryVariables()).isTrue();
        assertThat(t.pins()).contains(PinReason.USER_VARIABLE);
        assertThat(of("SET STATEMENT sql_mode = '' FOR SELECT 1").pins()).isEmpty();
    }

    @Test
    void setNamesTellsTheCollationItGivesTheClientsCharacterSet() {
        assertThat(of("SET NAMES utf8mb4 COLLATE utf8mb4_bin").namesCollation()).isEqualTo("utf8mb4_bin");
        assertThat(of("SET NAMES 'utf8' COLLATE 'UTF8_BIN'").namesCollation()).isEqualTo("utf8mb3_bin");
        assertThat(of("SET sql_mode = '', NAMES latin1 COLLATE latin1_bin").namesCollation()).isEqualTo("latin1_bin");
        for (String sql : new String[] {"SET NAMES utf8mb4", "SET NAMES DEFAULT", "SET NAMES utf8mb4 COLLATE DEFAULT",
                "SET CHARACTER SET utf8mb4", "SET CHARSET latin1", "SET NAMES latin1, collation_connection = latin1_bin"}) {
            assertThat(of(sql).namesCollation()).as(sql).isEmpty();
        }
        assertThat(of("SET character_set_client = latin1").namesCollation()).isNull();
        assertThat(of("SELECT 1").namesCollation()).isNull();
    }

    @Test
    void readsOfThePreviousResultAndStatementsWhoseResultMayBeReadAreMarked() {
        assertThat(of("SELECT ROW_COUNT()").readsPrevious()).isTrue();
        assertThat(of("SELECT FOUND_ROWS()").readsPrevious()).isTrue();
        assertThat(of("SHOW WARNINGS").readsPrevious()).isTrue();
        assertThat(of("SELECT @@warning_count").readsPrevious()).isTrue();
        assertThat(of("SELECT 1").readsPrevious()).isFalse();
        assertThat(of("DELETE FROM t").keepsResult()).isTrue();
        assertThat(of("SELECT SQL_CALC_FOUND_ROWS * FROM t LIMIT 1").keepsResult()).isTrue();
        assertThat(of("SELECT LAST_INSERT_ID(5)").setsLastInsertId()).isTrue();
        assertThat(of("SELECT LAST_INSERT_ID()").setsLastInsertId()).isFalse();
        assertThat(of("INSERT INTO t (v) VALUES (1) RETURNING id").setsLastInsertId()).isTrue();
        assertThat(of("replace into t (id, v) values (1, 2) returning *").setsLastInsertId()).isTrue();
        assertThat(of("DELETE FROM t WHERE id = 1 RETURNING id").setsLastInsertId()).isFalse();
    }

    @Test
    void anOffsetGivenByAParameterNamesThatParameter() {
        String[][] known = {{"SELECT * FROM t LIMIT ?, 3", "0"}, {"SELECT * FROM t WHERE a = ? LIMIT ?, ?", "1"},
            {"SELECT * FROM t WHERE b = '?' AND a = ? ORDER BY a LIMIT ? OFFSET ?", "2"},
            {"SELECT a FROM t WHERE a > ? ORDER BY a OFFSET ? ROWS FETCH NEXT ? ROWS ONLY", "1"},
            {"SELECT a FROM t /* ? */ WHERE a > ? LIMIT 3 OFFSET ?", "1"}, {"SELECT a FROM t LIMIT ?, 3 FOR UPDATE", "0"}};
        for (String[] sql : known) {
            assertThat(of(sql[0]).offsetParameter()).as(sql[0]).isEqualTo(Integer.parseInt(sql[1]));
            assertThat(of(sql[0]).limitOffset()).as(sql[0]).isEqualTo(-1);
            assertThat(of(sql[0]).withLimitOffset(7).limitOffset()).isEqualTo(7);
        }
        for (String sql : new String[] {"SELECT * FROM t LIMIT ?", "SELECT * FROM t LIMIT 3, ?", "SELECT * FROM t WHERE a = ?",
                "SELECT a FROM t UNION SELECT a FROM u LIMIT ?, 3"}) {
            assertThat(of(sql).offsetParameter()).as(sql).isEqualTo(-1);
        }
    }

    @Test
    void selectsWhoseFoundRowsCountMoreThanTheirRowsAreMarkedLimited() {
        assertThat(of("SELECT * FROM t ORDER BY a LIMIT 2, 1").limited()).isTrue();
        assertThat(of("select * from t limit 1 offset 3").limited()).isTrue();
        assertThat(of("SELECT * FROM t OFFSET 1 ROWS FETCH FIRST 2 ROWS ONLY").limited()).isTrue();
        assertThat(of("SELECT @x := a FROM t LIMIT 1").limited()).as("through the lexer").isTrue();
        assertThat(of("SELECT * FROM t").limited()).isFalse();
        assertThat(of("SELECT @x := a FROM t").limited()).isFalse();
        assertThat(of("(SELECT * FROM t LIMIT 2)").limited()).as("a parenthesized query's own clause").isTrue();
        assertThat(of("SELECT * FROM t WHERE a = (SELECT a FROM u LIMIT 1)").limited()).as("a subquery's clause").isFalse();
        assertThat(of("SELECT * FROM (SELECT a FROM u LIMIT 1, 2) d").limited()).as("a derived table's clause").isFalse();
        assertThat(of("WITH c AS (SELECT a FROM u LIMIT 2) SELECT a FROM c").limited()).as("a common table expression's").isFalse();
    }

    /**
     * Each offset checked against MariaDB 10.11: {@code FOUND_ROWS()} after a row came back is the
     * offset plus the rows, also when a prepared statement's row count is a parameter.
     */
    @Test
    void theOffsetOfAFinalLimitClauseOfNumbersIsKnown() {
        String[][] known = {{"SELECT * FROM t LIMIT 3", "0"}, {"select * from t limit 5,3", "5"}, {"SELECT * FROM t LIMIT 5 , 3", "5"},
            {"SELECT * FROM t ORDER BY b LIMIT 3 OFFSET 2", "2"}, {"SELECT a FROM t ORDER BY a OFFSET 98 ROWS", "98"},
            {"SELECT a FROM t ORDER BY a OFFSET 3 ROWS FETCH NEXT 2 ROWS ONLY", "3"}, {"SELECT a FROM t FETCH FIRST ROW ONLY", "0"},
            {"SELECT a FROM t WHERE a IN (SELECT a FROM u LIMIT 9) LIMIT 4, 1", "4"}, {"SELECT @x := a FROM t LIMIT 7, 1 ", "7"},
            {"WITH c AS (SELECT a FROM t) SELECT a FROM c LIMIT 3,2", "3"}, {"(SELECT a FROM t) LIMIT 1, 1", "1"},
            {"SELECT b, COUNT(*) FROM t GROUP BY b WITH ROLLUP LIMIT 2,3", "2"}, {"SELECT * FROM t LIMIT ?", "0"},
            {"SELECT * FROM t LIMIT 5, ?", "5"}, {"SELECT * FROM t LIMIT ? OFFSET 20", "20"},
            {"SELECT a FROM t ORDER BY a OFFSET 10 ROWS FETCH FIRST ? ROWS ONLY", "10"}, {"SELECT a FROM t FETCH NEXT ? ROWS ONLY", "0"},
            {"SELECT a FROM t LIMIT 2 OFFSET 3 FOR UPDATE", "3"}, {"SELECT a FROM t WHERE a > 1 LIMIT 1 FOR UPDATE SKIP LOCKED", "0"},
            {"SELECT a FROM t LIMIT 4, 1 LOCK IN SHARE MODE NOWAIT", "4"}, {"select a from t limit 6, 1 for update wait 5", "6"}};
        for (String[] sql : known) {
            assertThat(of(sql[0]).limitOffset()).as(sql[0]).isEqualTo(Long.parseLong(sql[1]));
        }
        for (String sql : new String[] {"SELECT * FROM t", "SELECT * FROM t LIMIT ?, 3", "SELECT * FROM t LIMIT 3 OFFSET ?",
                "SELECT a FROM t ORDER BY a OFFSET ? ROWS FETCH NEXT 2 ROWS ONLY", "SELECT a FROM t OFFSET @o ROWS FETCH FIRST ROW ONLY",
                "SELECT * FROM t LIMIT ? OFFSET ?", "SELECT a FROM t OFFSET ? ROWS",
                "SELECT a FROM t ORDER BY a FETCH FIRST 2 ROWS WITH TIES", "SELECT a FROM t LIMIT 3 ROWS EXAMINED 50",
                "SELECT a FROM t FOR UPDATE", "SELECT a FROM t UNION ALL SELECT a FROM t LIMIT 3",
                "SELECT a FROM t INTERSECT SELECT a FROM u LIMIT 3", "SELECT a FROM t EXCEPT SELECT a FROM u LIMIT 3",
                "SELECT a FROM (SELECT a FROM t LIMIT 3) d", "SELECT a FROM t LIMIT 3 -- x", "SELECT a FROM t LIMIT 3; SELECT 1",
                "SELECT a FROM t WHERE a IN (SELECT a FROM u LIMIT 3)", "SHOW WARNINGS LIMIT 1", "VALUES (1), (2) LIMIT 1",
                "SELECT a FROM t LIMIT 99999999999999999999, 1"}) {
            assertThat(of(sql).limitOffset()).as(sql).isEqualTo(-1);
        }
    }

    @Test
    void anUninstallOfAPluginIsMarked() {
        assertThat(of("UNINSTALL PLUGIN blackhole").uninstallsPlugin()).isTrue();
        assertThat(of("uninstall soname 'ha_blackhole.so'").uninstallsPlugin()).isTrue();
        assertThat(of("INSTALL PLUGIN blackhole SONAME 'ha_blackhole.so'").uninstallsPlugin()).isFalse();
        assertThat(of("SELECT 'UNINSTALL PLUGIN x'").uninstallsPlugin()).isFalse();
    }

    /** Under {@code sql_mode=ORACLE} a {@code BEGIN} followed by statements is a block, not a transaction's start. */
    @Test
    void aBeginFollowedByStatementsIsABlock() {
        assertThat(of("BEGIN SET time_zone = '+01:00'; SELECT 1; END").pins()).containsExactly(PinReason.STORED_PROGRAM);
        assertThat(of("BEGIN NOT ATOMIC SELECT 1; END").pins()).containsExactly(PinReason.STORED_PROGRAM);
        assertThat(of("BEGIN").pins()).isEmpty();
        assertThat(of("BEGIN WORK").pins()).isEmpty();
        assertThat(of("BEGIN; SELECT 1; COMMIT").pins()).isEmpty();
    }

    @Test
    void multiStatementTextCombinesItsStatements() {
        StatementTraits t = of("SET time_zone = '+00:00'; SELECT GET_LOCK('x', 0); SET NAMES latin1");

        assertThat(t.pins()).containsExactly(PinReason.ADVISORY_LOCK);
        assertThat(t.assigned()).containsExactly("time_zone");
        assertThat(t.charset()).isTrue();
    }
}
