package io.switchyard.frontend.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.backend.ConnectionState;
import io.switchyard.backend.SessionBaseline;
import io.switchyard.backend.TrackingSettings;
import io.switchyard.protocol.OkPacket;
import io.switchyard.protocol.ServerStatus;
import io.switchyard.protocol.SessionStateInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionStateTrackerTest {
    private static final SessionStateInfo.Entry CHANGED = new SessionStateInfo.Entry(SessionStateInfo.STATE_CHANGE, new byte[] {1, '1'});
    private static final SessionBaseline BASELINE = new SessionBaseline(Map.of("character_set_client", "'latin1'",
            "character_set_connection", "'latin1'", "character_set_results", "'latin1'", "collation_connection", "'latin1_swedish_ci'"),
            TrackingSettings.of("autocommit,character_set_client,character_set_connection,character_set_results,time_zone", "1", "0", "OFF"));

    private final SessionStateTracker tracker = new SessionStateTracker(ConnectionState.initial("app"));

    private static OkPacket ok(SessionStateInfo.Entry... entries) {
        int flags = ServerStatus.AUTOCOMMIT | (entries.length > 0 ? ServerStatus.SESSION_STATE_CHANGED : 0);
        return new OkPacket(0, 0, flags, 0, "", new SessionStateInfo(Arrays.asList(entries)));
    }

    private static SessionStateInfo.Entry variable(String name, String value) {
        return SessionStateInfo.Entry.systemVariable(name, value);
    }

    @Test
    void reportedSystemVariablesBecomeStateAsLiteralsThatSetThemAgain() {
        tracker.before("SET SESSION max_recursive_iterations = 1000000, sql_mode = 'ANSI'");
        tracker.onOk(ok(variable("max_recursive_iterations", "1000000"), variable("sql_mode", "ANSI"), CHANGED));

        assertThat(tracker.state().variables()).containsExactly(Map.entry("max_recursive_iterations", "1000000"),
                Map.entry("sql_mode", "'ANSI'"));
        assertThat(tracker.pins()).isEmpty();
    }

    @Test
    void theCollationsOfTheClientAndResultsCharacterSetsFollowSetNamesAndAssignments() {
        assertThat(tracker.clientCollation(BASELINE)).as("the login's").isEqualTo("latin1_swedish_ci");

        tracker.before("SET NAMES utf8mb4 COLLATE utf8mb4_bin");
        tracker.onOk(ok(variable("character_set_client", "utf8mb4"), variable("character_set_results", "utf8mb4"), CHANGED));
        tracker.completed(false, 0);
        assertThat(tracker.clientCollation(BASELINE)).isEqualTo("utf8mb4_bin");
        assertThat(tracker.resultsCollation(BASELINE)).isEqualTo("utf8mb4_bin");

        tracker.before("SET character_set_results = NULL");
        tracker.onOk(ok(variable("character_set_results", ""), CHANGED));
        tracker.completed(false, 0);
        assertThat(tracker.clientCollation(BASELINE)).isEqualTo("utf8mb4_bin");
        assertThat(tracker.resultsCollation(BASELINE)).isEqualTo("null");

        tracker.before("SET NAMES utf8mb3 COLLATE utf8mb3_bin");
        tracker.completed(true, 0);
        assertThat(tracker.clientCollation(BASELINE)).as("a failed SET NAMES changes nothing").isEqualTo("utf8mb4_bin");

        tracker.before("SET character_set_client = latin1");
        tracker.onOk(ok(variable("character_set_client", "latin1"), CHANGED));
        tracker.completed(false, 0);
        assertThat(tracker.clientCollation(BASELINE)).isEqualTo("latin1_swedish_ci");

        tracker.before("SET CHARACTER SET utf8mb4");
        tracker.onOk(ok(variable("character_set_client", "utf8mb4"), variable("character_set_results", "utf8mb4"), CHANGED));
        tracker.completed(false, 0);
        assertThat(tracker.clientCollation(BASELINE)).isEqualTo("utf8mb4_general_ci");
        assertThat(tracker.resultsCollation(BASELINE)).isEqualTo("utf8mb4_general_ci");

        tracker.onReset(BASELINE, null);
        assertThat(tracker.clientCollation(BASELINE)).isEqualTo("latin1_swedish_ci");
    }

    @Test
    void theConnectionsCollationFollowsSetNamesWithoutARead() {
        tracker.pin(PinReason.TEMPORARY_TABLE);
        tracker.before("SET NAMES utf8mb4 COLLATE utf8mb4_bin");
        tracker.onOk(ok(variable("character_set_client", "utf8mb4"), variable("character_set_connection", "utf8mb4"),
                variable("character_set_results", "utf8mb4"), CHANGED));
        assertThat(tracker.completed(false, 0)).as("a pinned session reads nothing back").isEmpty();
        assertThat(tracker.state().variables()).containsEntry("collation_connection", "'utf8mb4_bin'");

        tracker.before("SET NAMES latin1");
        tracker.onOk(ok(variable("character_set_client", "latin1"), variable("character_set_connection", "latin1"),
                variable("character_set_results", "latin1"), CHANGED));
        tracker.completed(false, 0);
        assertThat(tracker.state().variables()).containsEntry("collation_connection", "'latin1_swedish_ci'");
        assertThat(tracker.clientCollation(null)).as("unknown without the login's").isEqualTo("?");

        tracker.before("SET NAMES utf8mb4; SET NAMES utf8mb4 COLLATE utf8mb4_bin; SET NAMES nosuchcharset");
        tracker.onOk(ok(variable("character_set_client", "utf8mb4"), variable("character_set_connection", "utf8mb4"),
                variable("character_set_results", "utf8mb4"), CHANGED));
        List<String> names = tracker.deferCharsetReadBack(tracker.completed(true, 0));
        assertThat(names).as("read before the next statement").isEmpty();
        assertThat(tracker.readBackBeforeNext()).as("a text that failed part of the way: what took effect is read")
                .containsExactlyElementsOf(SessionBaseline.CHARSET_VARIABLES);

        tracker.readBack(SessionBaseline.CHARSET_VARIABLES, List.of("utf8mb4", "utf8mb4", "utf8mb4", "utf8mb4_bin"), BASELINE);
        assertThat(tracker.readBackBeforeNext()).as("read").isEmpty();
        tracker.before("SET NAMES latin1; SET collation_connection = 'utf8mb4_unicode_ci'");
        tracker.onOk(ok(variable("character_set_client", "latin1"), variable("character_set_connection", "latin1"),
                variable("character_set_results", "latin1"), CHANGED));
        tracker.onOk(ok(variable("character_set_connection", "utf8mb4"), variable("collation_connection", "utf8mb4_unicode_ci"),
                CHANGED));
        assertThat(tracker.deferCharsetReadBack(tracker.completed(false, 0))).isEmpty();
        assertThat(tracker.readBackBeforeNext()).as("several statements: their order decides, which the text alone does not tell")
                .containsExactlyElementsOf(SessionBaseline.CHARSET_VARIABLES);
    }

    @Test
    void aFailedSetChangesNothing() {
        tracker.before("SET SESSION cte_max_recursion_depth = 1000000");
        // the server answers ERR: no OK, nothing reported
        tracker.completed(true, 0);

        assertThat(tracker.state()).isEqualTo(ConnectionState.initial("app"));
        assertThat(tracker.pins()).isEmpty();
        assertThat(tracker.keepForNext()).as("SHOW WARNINGS may read the error").isTrue();
    }

    @Test
    void warningsStayReachableAcrossStatementsThatUseNoTableUntilOneDoes() {
        tracker.before("UPDATE t SET n = 'nan'");
        tracker.completed(false, 1);
        for (String tableless : new String[] {"SELECT @@sql_mode", "SET @a = 1", "DO 1"}) {
            tracker.before(tableless);
            tracker.completed(false, 0);
            assertThat(tracker.keepForNext()).as("SHOW WARNINGS after " + tableless + " reads the UPDATE's").isTrue();
        }
        tracker.before(StatementTraits.PLAIN, "SELECT 1 FROM dual WHERE ? > 0");
        tracker.completed(false, 0);
        assertThat(tracker.keepForNext()).isTrue();

        tracker.before("SELECT * FROM t WHERE 0");
        tracker.completed(false, 0);
        assertThat(tracker.keepForNext()).as("a statement using a table cleared them").isFalse();

        tracker.before("SELECT 1");
        tracker.completed(false, 0);
        assertThat(tracker.keepForNext()).isFalse();
    }

    @Test
    void theLastInsertIdReadBeforeAStatementThatSetsItIsUnknownAgainAfterIt() {
        tracker.before("INSERT INTO t (c) VALUES ('a')");
        tracker.onOk(new OkPacket(1, 5, ServerStatus.AUTOCOMMIT, 0, ""));
        tracker.completed(false, 0);
        assertThat(tracker.lastInsertIdUnknown()).isTrue();

        tracker.before("SELECT LAST_INSERT_ID(201)");
        tracker.readBack(List.of(SessionStateTracker.LAST_INSERT_ID), List.of("5"), null);

        assertThat(tracker.state().variables()).containsEntry(SessionStateTracker.LAST_INSERT_ID, "5");
        assertThat(tracker.lastInsertIdUnknown()).as("read; the statement has not run yet").isFalse();
        tracker.completed(false, 0);
        assertThat(tracker.lastInsertIdUnknown()).as("LAST_INSERT_ID(201) changed it once more").isTrue();
    }

    /** A statement that reads both values the set-ups give. */
    private static final String READS_BOTH = "SELECT FOUND_ROWS(), ROW_COUNT()";

    /** The set-up before {@code reader}, the next statement, on a connection the session borrows. */
    private List<String> setUpFor(String reader) {
        tracker.before(reader);
        return tracker.previousResultSetUp();
    }

    /** The same on the connection the session holds. */
    private List<String> setUpKeepingDiagnosticsFor(String reader) {
        tracker.before(reader);
        return tracker.previousResultSetUpKeepingDiagnostics();
    }

    @Test
    void aStatementThatReadsFoundRowsAloneIsGivenItAfterAWrite() {
        tracker.before("SELECT * FROM t");
        tracker.statementResult(false, true, 3, 0);
        tracker.before("INSERT INTO t VALUES (1)");
        tracker.statementResult(false, false, 0, 1);
        assertThat(setUpFor(READS_BOTH)).as("ROW_COUNT() 1 cannot be given without a write").isEmpty();
        assertThat(setUpFor("SELECT FOUND_ROWS()")).as("it does not read ROW_COUNT(), which the query sets to -1")
                .containsExactly("SELECT 1 UNION ALL SELECT 1 UNION ALL SELECT 1 LIMIT 3");
        assertThat(tracker.foundRowsSetUp()).as("on the connection the write ran on").containsExactly(
                "SELECT 1 UNION ALL SELECT 1 UNION ALL SELECT 1 LIMIT 3");
        assertThat(setUpFor("SHOW WARNINGS")).as("reads neither").isEmpty();
        tracker.before(READS_BOTH);
        assertThat(tracker.foundRowsSetUp()).as("it reads ROW_COUNT() too").isEmpty();
    }

    @Test
    void theFoundRowsAndRowCountOfTheLastStatementAreSetUpOnlyWhenKnownExactly() {
        assertThat(setUpFor(READS_BOTH)).as("nothing ran yet").isEmpty();

        tracker.before("SELECT * FROM t");
        tracker.statementResult(false, true, 3, 0);
        assertThat(setUpFor(READS_BOTH)).as("few rows: a query without a table, which leaves warnings")
                .containsExactly("SELECT 1 UNION ALL SELECT 1 UNION ALL SELECT 1 LIMIT 3");

        tracker.before("SELECT * FROM t");
        tracker.statementResult(false, true, LastResults.MAX_ROWS_WITHOUT_TABLE + 1, 0);
        assertThat(setUpFor(READS_BOTH)).singleElement().asString()
                .contains("k < " + (LastResults.MAX_ROWS_WITHOUT_TABLE + 1)).contains("SQL_CALC_FOUND_ROWS")
                .endsWith("LIMIT 0");

        long many = LastResults.MAX_RECURSIVE_FOUND_ROWS + 1;
        tracker.before("SELECT * FROM t");
        tracker.statementResult(false, true, many, 0);
        assertThat(setUpFor(READS_BOTH)).as("more rows: the sequence engine, in the session's database").containsExactly(
                "SET STATEMENT max_statement_time = 0 FOR SELECT SQL_CALC_FOUND_ROWS seq FROM seq_1_to_" + many + " LIMIT 0");
        SessionStateTracker noDatabase = new SessionStateTracker(ConnectionState.initial(null));
        noDatabase.before("SELECT * FROM other.t");
        noDatabase.statementResult(false, true, many, 0);
        noDatabase.before(READS_BOTH);
        assertThat(noDatabase.previousResultSetUp()).as("no database to find the sequence engine's table in").isEmpty();
        noDatabase.before("SELECT FOUND_ROWS(), ROW_COUNT(), 1");
        noDatabase.statementResult(false, true, LastResults.MAX_RECURSIVE_FOUND_ROWS, 0);
        noDatabase.before(READS_BOTH);
        assertThat(noDatabase.previousResultSetUp()).as("up to a million rows, a recursive query").singleElement().asString()
                .contains("WITH RECURSIVE");

        tracker.before("SELECT nosuch FROM t");
        tracker.statementFailed();
        tracker.completed(true, 0);
        assertThat(setUpFor(READS_BOTH)).as("a failed statement leaves FOUND_ROWS(); ROW_COUNT() is -1").singleElement()
                .asString().contains("SQL_CALC_FOUND_ROWS");
        assertThat(setUpKeepingDiagnosticsFor(READS_BOTH)).as("it would clear the error held").isEmpty();

        tracker.before("SELECT * FROM t");
        tracker.statementResult(false, true, 3, 0);

        tracker.before("DO 1");
        tracker.statementResult(false, false, 0, 0);
        assertThat(setUpFor(READS_BOTH)).hasSize(2).last().isEqualTo("DO 0");

        tracker.before("SELECT * FROM t WHERE 0");
        tracker.statementResult(false, true, 0, 0);
        assertThat(setUpFor(READS_BOTH)).containsExactly("SELECT 1 FROM DUAL WHERE 0");

        tracker.before("SELECT SQL_CALC_FOUND_ROWS * FROM t LIMIT 1");
        tracker.statementResult(false, true, 1, 0);
        assertThat(setUpFor(READS_BOTH)).as("the server does not say the count").isEmpty();

        String[][] known = {{"SELECT * FROM t ORDER BY a LIMIT 2, 1", "SELECT 1 UNION ALL SELECT 1 UNION ALL SELECT 1 LIMIT 3"},
            {"SELECT * FROM t LIMIT 1 OFFSET 1", "SELECT 1 UNION ALL SELECT 1 LIMIT 2"},
            {"SELECT * FROM t OFFSET 1 ROWS FETCH FIRST 1 ROWS ONLY", "SELECT 1 UNION ALL SELECT 1 LIMIT 2"},
            {"SELECT a FROM t WHERE a = @x LIMIT 5", "SELECT 1 LIMIT 1"}, {"SELECT * FROM t LIMIT ?", "SELECT 1 LIMIT 1"},
            {"SELECT * FROM t LIMIT 2, 1 FOR UPDATE", "SELECT 1 UNION ALL SELECT 1 UNION ALL SELECT 1 LIMIT 3"}};
        for (String[] limited : known) {
            tracker.before(limited[0]);
            tracker.statementResult(false, true, 1, 0);
            assertThat(setUpFor(READS_BOTH)).as("MariaDB counts the rows %s passed over: the offset and the row", limited[0])
                    .containsExactly(limited[1]);
        }
        for (String limited : new String[] {"SELECT * FROM t LIMIT ?, 1", "SELECT * FROM t ORDER BY a FETCH FIRST 1 ROWS WITH TIES",
                "SELECT a FROM t UNION SELECT a FROM u LIMIT 1", "(SELECT * FROM t LIMIT 2, 1)"}) {
            tracker.before(limited);
            tracker.statementResult(false, true, 1, 0);
            assertThat(setUpFor("SELECT ROW_COUNT()")).as("the offset of %s is not known: ROW_COUNT() alone", limited)
                    .containsExactly("SELECT 1 FROM DUAL WHERE 0");
            assertThat(setUpFor(READS_BOTH)).as("the query that gives -1 would set FOUND_ROWS() to 0").isEmpty();
            assertThat(tracker.previousResultsUnknownByLast()).as("%s leaves a count to read", limited).isTrue();
        }
        tracker.before("SELECT * FROM t LIMIT 5, 1");
        tracker.statementResult(false, true, 0, 0);
        assertThat(setUpFor("SELECT ROW_COUNT()")).as("no row: the offset may lie past the last row")
                .containsExactly("SELECT 1 FROM DUAL WHERE 0");
        assertThat(tracker.previousResultsUnknownByLast()).isTrue();
        tracker.before("DO 1");
        tracker.statementResult(false, false, 0, 0);
        assertThat(setUpFor(READS_BOTH)).as("FOUND_ROWS() still unknown").containsExactly("DO 0");
        assertThat(tracker.previousResultsUnknown()).isTrue();
        assertThat(tracker.previousResultsUnknownByLast()).as("the DO did not make it unknown").isFalse();
        tracker.previousResultsRead(100, 0);
        assertThat(tracker.previousResultsUnknown()).as("read").isFalse();

        tracker.before("SELECT * FROM t WHERE a > 5 LIMIT 3");
        tracker.statementResult(false, true, 0, 0);
        assertThat(tracker.previousResultsUnknown()).as("no row and no offset: nothing matched").isFalse();
        assertThat(setUpFor(READS_BOTH)).containsExactly("SELECT 1 FROM DUAL WHERE 0");

        tracker.before("SELECT * FROM t");
        tracker.statementResult(true, true, 0, 0);
        assertThat(tracker.previousResultsUnknownByLast()).as("a cursor, several results or an error after rows").isTrue();

        tracker.before("SELECT a FROM t");
        tracker.statementResult(false, true, 2, 0);
        tracker.before("SELECT nosuch FROM t");
        tracker.statementResult(true, false, 0, 0);
        assertThat(setUpFor(READS_BOTH)).isEmpty();
    }

    @Test
    void aStoredFunctionsChangeReportedWithTheSchemaItSwitchedToAndBackPinsTheSession() {
        // a function of another database reports the session's own schema again and a change,
        // which may be a user variable it assigned
        tracker.before("SELECT other_db.f()");
        tracker.onOk(ok(new SessionStateInfo.Entry(SessionStateInfo.SCHEMA, new byte[] {3, 'a', 'p', 'p'}), CHANGED));

        assertThat(tracker.schema()).isEqualTo("app");
        assertThat(tracker.pins()).containsExactly(PinReason.UNEXPLAINED_CHANGE);
    }

    @Test
    void theStoredFunctionsAStatementCallsAreReadInTheDatabaseTheyAreResolvedIn() {
        tracker.before("SELECT f(1), other.g(2) FROM t");
        tracker.statementResult(false, true, 1, 0);
        tracker.before(StatementClassifier.classify("SELECT h()"), "SELECT h()", "prepared_in");
        assertThat(tracker.functionsUnchecked()).isTrue();
        assertThat(tracker.functionsToCheck()).containsExactly(new StoredFunctionCalls.Call("app", "f"),
                new StoredFunctionCalls.Call("other", "g"), new StoredFunctionCalls.Call("prepared_in", "h"));
        tracker.functionsChecked(false);
        assertThat(tracker.functionsUnchecked()).isFalse();
        assertThat(tracker.pins()).isEmpty();

        tracker.before("SELECT f(1)");
        tracker.functionsChecked(true);
        assertThat(tracker.pins()).containsExactly(PinReason.STORED_FUNCTION);

        SessionStateTracker multi = new SessionStateTracker(ConnectionState.initial("app"));
        multi.before("USE other; SELECT f(1)");
        assertThat(multi.pins()).as("the text may change the database first").containsExactly(PinReason.STORED_FUNCTION);
    }

    @Test
    void aStoredFunctionsVariablesExplainNothingOfTheChangeReportedWithThem() {
        tracker.before("SELECT f()");
        tracker.onOk(ok(variable("group_concat_max_len", "5000"), CHANGED));

        assertThat(tracker.state().variables()).containsOnly(Map.entry("group_concat_max_len", "5000"));
        assertThat(tracker.pins()).containsExactly(PinReason.UNEXPLAINED_CHANGE);
    }

    @Test
    void aUseOfTheSchemaTheSessionIsInDoesNotPin() {
        tracker.before("USE other");
        tracker.onOk(ok(new SessionStateInfo.Entry(SessionStateInfo.SCHEMA, new byte[] {5, 'o', 't', 'h', 'e', 'r'}), CHANGED));
        tracker.before("USE other");
        tracker.onOk(ok(new SessionStateInfo.Entry(SessionStateInfo.SCHEMA, new byte[] {5, 'o', 't', 'h', 'e', 'r'}), CHANGED));

        assertThat(tracker.pins()).isEmpty();
    }

    @Test
    void aSchemaReportMovesTheSession() {
        tracker.before("USE other");
        tracker.onOk(ok(new SessionStateInfo.Entry(SessionStateInfo.SCHEMA, new byte[] {5, 'o', 't', 'h', 'e', 'r'}), CHANGED));

        assertThat(tracker.schema()).isEqualTo("other");
        assertThat(tracker.pins()).isEmpty();
    }

    @Test
    void aStateChangeNoVariableExplainsPins() {
        tracker.before("CREATE TABLE t (a INT)");
        tracker.onOk(ok(CHANGED));

        assertThat(tracker.pins()).containsExactly(PinReason.UNEXPLAINED_CHANGE);
    }

    @Test
    void variablesReportedByUntrustedStatementsPinWhenTheyDiffer() {
        tracker.before("SET sql_mode = my_function()");
        tracker.onOk(ok(variable("sql_mode", "ANSI"), variable("time_zone", "+01:00"), CHANGED));

        assertThat(tracker.pins()).contains(PinReason.UNEXPLAINED_CHANGE);
        assertThat(tracker.state().variables()).containsOnly(Map.entry("sql_mode", "'ANSI'"));
    }

    @Test
    void setStatementForReportsTemporaryValuesThatAreNotState() {
        tracker.before("SET STATEMENT sql_mode = '' FOR SELECT 1");
        tracker.onOk(ok(variable("sql_mode", ""), CHANGED));

        assertThat(tracker.state().variables()).isEmpty();
    }

    @Test
    void unreplayableVariablesPin() {
        tracker.before("SET timestamp = 1");
        tracker.onOk(ok(variable("timestamp", "1.000000"), CHANGED));

        assertThat(tracker.pins()).containsExactly(PinReason.UNREPLAYABLE_VARIABLE);
    }

    @Test
    void emptyCharacterSetResultsMeansNull() {
        tracker.before("SET character_set_results = NULL");
        tracker.onOk(ok(variable("character_set_results", ""), CHANGED));

        assertThat(tracker.state().variables()).containsEntry("character_set_results", "NULL");
    }

    @Test
    void setTransactionCharacteristicsTieTheSessionUntilTheNextTransactionEnds() {
        tracker.before("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE");
        tracker.onOk(ok(new SessionStateInfo.Entry(SessionStateInfo.TRANSACTION_CHARACTERISTICS,
                lenenc("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;"))));
        assertThat(tracker.nextTransactionPending()).isTrue();

        tracker.before("COMMIT");
        tracker.onOk(ok(new SessionStateInfo.Entry(SessionStateInfo.TRANSACTION_CHARACTERISTICS, lenenc(""))));
        assertThat(tracker.nextTransactionPending()).isFalse();
    }

    @Test
    void charsetStatementsAreReadBackAndLoginValuesLeaveTheState() {
        tracker.before("SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci");
        List<String> names = tracker.completed(false, 0);
        assertThat(names).containsExactlyElementsOf(SessionBaseline.CHARSET_VARIABLES);

        tracker.readBack(names, List.of("utf8mb4", "utf8mb4", "utf8mb4", "utf8mb4_unicode_ci"), BASELINE);
        assertThat(tracker.state().variables()).containsEntry("collation_connection", "'utf8mb4_unicode_ci'")
                .containsEntry(SessionStateTracker.CLIENT_COLLATION, "'utf8mb4_unicode_ci'")
                .containsEntry(SessionStateTracker.RESULTS_COLLATION, "'utf8mb4_unicode_ci'");

        tracker.before("SET NAMES latin1");
        tracker.completed(false, 0);
        tracker.readBack(names, List.of("latin1", "latin1", "latin1", "latin1_swedish_ci"), BASELINE);
        assertThat(tracker.state().variables()).isEmpty();
    }

    @Test
    void changingTheClientsTrackingReadsBackWhatItAssignedAndTheNewSettings() {
        tracker.clientTracking(BASELINE.tracking());
        tracker.before("SET sql_mode = 'ANSI', session_track_system_variables = 'autocommit'");
        List<String> names = tracker.completed(false, 0);
        assertThat(names).contains("sql_mode", "session_track_system_variables");
        assertThat(tracker.restoresTracking(names)).isTrue();

        List<String> values = names.stream().map(n -> switch (n) {
            case "sql_mode" -> "ANSI";
            case "session_track_system_variables" -> "autocommit";
            case "session_track_schema" -> "1";
            case "session_track_state_change" -> "0";
            case "session_track_transaction_info" -> "OFF";
            default -> "latin1_swedish_ci".startsWith(n) ? null : (n.startsWith("collation") ? "latin1_swedish_ci" : "latin1");
        }).toList();
        tracker.readBack(names, values, BASELINE);

        assertThat(tracker.state().variables()).containsOnly(Map.entry("sql_mode", "'ANSI'"));
        assertThat(tracker.clientTracking().tracksVariable("autocommit")).isTrue();
        assertThat(tracker.clientTracking().tracksVariable("time_zone")).isFalse();
    }

    @Test
    void theClientSeesOnlyWhatItsOwnTrackingAsksFor() {
        tracker.clientTracking(BASELINE.tracking());
        SessionStateInfo server = new SessionStateInfo(List.of(variable("sql_mode", ""), variable("time_zone", "+00:00"), CHANGED,
                new SessionStateInfo.Entry(SessionStateInfo.TRANSACTION_STATE, lenenc("________"))));

        SessionStateInfo client = tracker.forClient(server);

        assertThat(client.entries()).extracting(SessionStateInfo.Entry::variableName).containsExactly("time_zone");
    }

    @Test
    void anAutoIncrementWriteLeavesLastInsertIdToBeReadBeforeAStatementThatDoesNotReadItsResult() {
        tracker.before("INSERT INTO t (v) VALUES (1)");
        tracker.onOk(new OkPacket(1, 7, ServerStatus.AUTOCOMMIT, 0, ""));
        assertThat(tracker.completed(false, 0)).as("a read-back now would replace ROW_COUNT()").isEmpty();
        assertThat(tracker.lastInsertIdUnknown()).isTrue();

        tracker.readBack(List.of("last_insert_id"), List.of("7"), BASELINE);
        assertThat(tracker.lastInsertIdUnknown()).isFalse();
        assertThat(tracker.state().variables()).containsEntry("last_insert_id", "7");
    }

    @Test
    void theReadBackOfTheCharacterSetsMayWaitForTheNextStatementThatDoesNotReadTheLastResults() {
        tracker.before("SET NAMES utf8mb4; INSERT INTO t (v) VALUES (1)");
        tracker.onOk(ok(variable("character_set_client", "utf8mb4"), variable("character_set_connection", "utf8mb4"),
                variable("character_set_results", "utf8mb4"), CHANGED));
        List<String> names = tracker.completed(false, 0);
        assertThat(names).containsExactlyElementsOf(SessionBaseline.CHARSET_VARIABLES);
        assertThat(tracker.readBackBeforeNext()).as("not deferred yet").isEmpty();

        assertThat(tracker.deferCharsetReadBack(names)).isEmpty();
        assertThat(tracker.readBackBeforeNext()).containsExactlyElementsOf(SessionBaseline.CHARSET_VARIABLES);

        tracker.readBack(SessionBaseline.CHARSET_VARIABLES, List.of("utf8mb4", "utf8mb4", "utf8mb4", "utf8mb4_unicode_ci"), BASELINE);
        assertThat(tracker.readBackBeforeNext()).isEmpty();
        assertThat(tracker.state().variables()).containsEntry("collation_connection", "'utf8mb4_unicode_ci'");
    }

    @Test
    void onlyTheCharacterSetGroupAloneWaits() {
        List<String> more = new ArrayList<>(SessionBaseline.CHARSET_VARIABLES);
        more.add("session_track_schema");
        assertThat(tracker.deferCharsetReadBack(more)).isEqualTo(more);
        assertThat(tracker.readBackBeforeNext()).isEmpty();
    }

    @Test
    void pinsLastUntilTheServerStateIsReset() {
        tracker.before("SET @a = 1");
        assertThat(tracker.pins()).containsExactly(PinReason.USER_VARIABLE);

        tracker.onReset(BASELINE, null);

        assertThat(tracker.pins()).isEmpty();
        assertThat(tracker.schema()).isEqualTo("app");
    }

    @Test
    void aResetLeavesTheSchemasCharacterSetsToReadBeforeTheNextStatementUntilASchemaIsSelected() {
        tracker.onReset(BASELINE, null);
        assertThat(tracker.readBackPending()).isTrue();
        assertThat(tracker.readBackBeforeNext()).containsExactlyElementsOf(ConnectionState.SCHEMA_CHARSET_VARIABLES);

        tracker.readBack(ConnectionState.SCHEMA_CHARSET_VARIABLES, List.of("utf8mb4", "utf8mb4_general_ci"), BASELINE);
        assertThat(tracker.readBackPending()).as("read").isFalse();
        assertThat(tracker.state().variables()).as("the globals a reset gave, not the schema's")
                .containsEntry("character_set_database", "'utf8mb4'");

        tracker.onReset(BASELINE, null);
        tracker.before("USE app");
        tracker.onOk(ok(new SessionStateInfo.Entry(SessionStateInfo.SCHEMA, lenenc("app")), CHANGED));
        tracker.completed(false, 0);
        assertThat(tracker.readBackPending()).as("selecting the schema gave them its values").isFalse();
        assertThat(tracker.state().variables()).doesNotContainKeys("character_set_database", "collation_database");

        tracker.onReset(BASELINE, null);
        tracker.pin(PinReason.SESSION_STATUS);
        assertThat(tracker.readBackPending()).as("a session that reads its status counters is not read on").isFalse();
    }

    private static byte[] lenenc(String s) {
        byte[] b = s.getBytes();
        byte[] out = new byte[b.length + 1];
        out[0] = (byte) b.length;
        System.arraycopy(b, 0, out, 1, b.length);
        return out;
    }
}
