package io.switchyard.frontend.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.frontend.state.SessionState.Charset;
import io.switchyard.frontend.state.SessionState.VerbatimSet;
import org.junit.jupiter.api.Test;

class SessionStateTrackerTest {

    private final SessionStateTracker tracker = new SessionStateTracker(SessionState.initial("app"));

    @Test
    void setNamesWithQuotedCharsetAndCollationIsState() {
        StatementEffect effect = tracker.onStatement("SET NAMES 'utf8mb4' COLLATE 'utf8mb4_general_ci'");
        assertThat(effect.understood()).isTrue();
        assertThat(effect.state().charset()).isEqualTo(new Charset(true, "utf8mb4", "utf8mb4_general_ci"));
        assertThat(effect.multiplexingSuspended()).isFalse();
    }

    @Test
    void setNamesReplacesEarlierCharacterSetVariables() {
        tracker.onStatement("SET character_set_client = latin1");
        StatementEffect effect = tracker.onStatement("SET NAMES utf8mb4");
        assertThat(effect.state().variables()).doesNotContainKey("character_set_client");
        assertThat(effect.state().charset()).isEqualTo(new Charset(true, "utf8mb4", null));
    }

    @Test
    void setCharacterSetIsState() {
        assertThat(tracker.onStatement("SET CHARACTER SET utf8").state().charset())
                .isEqualTo(new Charset(false, "utf8", null));
    }

    @Test
    void sessionVariableSpellingsAllLandInTheSameState() {
        tracker.onStatement("SET @@SESSION.time_zone = '+00:00'");
        tracker.onStatement("SET LOCAL wait_timeout = 100, @@net_read_timeout = 30");
        tracker.onStatement("set session Max_Execution_Time=DEFAULT; SET @@local.sql_mode = 'ANSI'");
        SessionState state = tracker.state();
        assertThat(state.timeZone()).isEqualTo("'+00:00'");
        assertThat(state.sqlMode()).isEqualTo("'ANSI'");
        assertThat(state.variables()).containsExactly(
                java.util.Map.entry("wait_timeout", "100"),
                java.util.Map.entry("net_read_timeout", "30"),
                java.util.Map.entry("max_execution_time", "DEFAULT"));
    }

    @Test
    void userAndSystemVariablesMixInOneSet() {
        StatementEffect effect = tracker.onStatement("SET @a = 1, @@session.wait_timeout = 100");
        assertThat(effect.understood()).isTrue();
        assertThat(effect.state().userVariables()).containsEntry("a", "1");
        assertThat(effect.state().variables()).containsEntry("wait_timeout", "100");
        assertThat(effect.multiplexingSuspended()).isFalse();
    }

    @Test
    void stringsHoldingSemicolonsAndAtSignsAreLiterals() {
        StatementEffect effect = tracker.onStatement("SET @a = 'x;@y', @b = -2; SELECT 'a@b;c'");
        assertThat(effect.state().userVariables()).containsEntry("a", "'x;@y'").containsEntry("b", "-2");
        assertThat(effect.multiplexingSuspended()).isFalse();
    }

    @Test
    void autocommitIsStateButTransactionsAreNotTracked() {
        assertThat(tracker.onStatement("SET autocommit=0").state().autocommit()).isFalse();
        StatementEffect begin = tracker.onStatement("START TRANSACTION");
        assertThat(begin.understood()).isTrue();
        assertThat(begin.multiplexingSuspended()).isFalse();
        assertThat(tracker.onStatement("SET autocommit = ON").state().autocommit()).isTrue();
    }

    @Test
    void sessionIsolationAndAccessModeAreState() {
        tracker.onStatement("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED, READ ONLY");
        assertThat(tracker.state().isolationLevel()).isEqualTo("READ COMMITTED");
        assertThat(tracker.state().readOnly()).isTrue();
        tracker.onStatement("SET SESSION tx_isolation = 'SERIALIZABLE', transaction_read_only = OFF");
        assertThat(tracker.state().isolationLevel()).isEqualTo("SERIALIZABLE");
        assertThat(tracker.state().readOnly()).isFalse();
    }

    @Test
    void setTransactionWithoutScopeOnlyKeepsTheConnectionForTheNextTransaction() {
        StatementEffect effect = tracker.onStatement("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE");
        assertThat(effect.state().isolationLevel()).isNull();
        assertThat(effect.keepConnectionForNextStatement()).isTrue();
        assertThat(effect.understood()).isTrue();
    }

    @Test
    void setFromAnExpressionIsReplayedVerbatimInsteadOfPinning() {
        tracker.onStatement("SET sql_mode = 'ANSI'");
        StatementEffect effect = tracker.onStatement("SET sql_mode=CONCAT(@@sql_mode, ',STRICT_TRANS_TABLES')");
        assertThat(effect.understood()).isFalse();
        assertThat(effect.replayedVerbatim()).isTrue();
        assertThat(effect.multiplexingSuspended()).isFalse();
        assertThat(effect.state().sqlMode()).isEqualTo("'ANSI'");
        assertThat(effect.state().verbatimSets()).containsExactly(new VerbatimSet("sql_mode",
                "SET SESSION sql_mode = CONCAT(@@sql_mode, ',STRICT_TRANS_TABLES')"));
    }

    @Test
    void laterLiteralAssignmentDropsVerbatimSetsOfThatVariable() {
        tracker.onStatement("SET sql_mode=CONCAT(@@sql_mode, ',STRICT_TRANS_TABLES')");
        assertThat(tracker.onStatement("SET sql_mode = ''").state().verbatimSets()).isEmpty();
    }

    @Test
    void unreadableSetIsKeptWholeInOrder() {
        StatementEffect effect = tracker.onStatement("SET ROLE reporting");
        assertThat(effect.replayedVerbatim()).isTrue();
        assertThat(effect.state().verbatimSets()).containsExactly(new VerbatimSet(null, "SET ROLE reporting"));
    }

    @Test
    void globalAssignmentsAreNotSessionState() {
        StatementEffect effect = tracker.onStatement("SET GLOBAL max_connections = 10, @@global.wait_timeout = 5");
        assertThat(effect.state()).isEqualTo(SessionState.initial("app"));
        assertThat(effect.understood()).isTrue();
    }

    @Test
    void userVariableFromAnExpressionPinsUntilReassignedFromALiteral() {
        assertThat(tracker.onStatement("SET @v = NOW()").pins()).containsExactly(PinReason.USER_VARIABLE);
        assertThat(tracker.onStatement("SELECT @v").pins()).containsExactly(PinReason.USER_VARIABLE);
        assertThat(tracker.onStatement("SET @v = 'x'").pins()).isEmpty();
    }

    @Test
    void selectAssignmentAndSelectIntoPin() {
        assertThat(tracker.onStatement("SELECT @n := COUNT(*) FROM t").pins()).containsExactly(PinReason.USER_VARIABLE);
        tracker.onReset(SessionState.initial("app"));
        assertThat(tracker.onStatement("SELECT id, name INTO @id, @name FROM t LIMIT 1").pins())
                .containsExactly(PinReason.USER_VARIABLE);
        tracker.onReset(SessionState.initial("app"));
        assertThat(tracker.pins()).isEmpty();
    }

    @Test
    void readingALiteralUserVariableDoesNotPinButReadingAnUnknownOneDoes() {
        tracker.onStatement("SET @known = 5");
        assertThat(tracker.onStatement("SELECT * FROM t WHERE id = @known").pins()).isEmpty();
        assertThat(tracker.onStatement("CALL p(@out)").pins()).containsExactly(PinReason.USER_VARIABLE);
    }

    @Test
    void temporaryTablesPinUntilEveryOneIsDropped() {
        tracker.onStatement("CREATE TEMPORARY TABLE t1 (id INT)");
        tracker.onStatement("CREATE TEMPORARY TABLE IF NOT EXISTS app.`T2` AS SELECT 1");
        assertThat(tracker.onStatement("DROP TEMPORARY TABLE t1").pins()).containsExactly(PinReason.TEMPORARY_TABLE);
        assertThat(tracker.onStatement("DROP TABLE IF EXISTS t2").pins()).isEmpty();
    }

    @Test
    void lockTablesPinsUntilUnlockTables() {
        assertThat(tracker.onStatement("LOCK TABLES t READ, u WRITE").pins()).containsExactly(PinReason.TABLE_LOCK);
        assertThat(tracker.onStatement("SELECT * FROM t").pins()).containsExactly(PinReason.TABLE_LOCK);
        assertThat(tracker.onStatement("UNLOCK TABLES").pins()).isEmpty();
    }

    @Test
    void advisoryLocksAreCounted() {
        tracker.onStatement("SELECT GET_LOCK('x', 1)");
        assertThat(tracker.onStatement("SELECT GET_LOCK('y', 1), 'RELEASE_LOCK(' ").pins())
                .containsExactly(PinReason.ADVISORY_LOCK);
        assertThat(tracker.onStatement("SELECT RELEASE_LOCK('x')").pins()).containsExactly(PinReason.ADVISORY_LOCK);
        assertThat(tracker.onStatement("SELECT RELEASE_LOCK('y')").pins()).isEmpty();
    }

    @Test
    void releaseAllLocksLiftsTheAdvisoryLockPin() {
        tracker.onStatement("SELECT GET_LOCK('x', 1), GET_LOCK('y', 1)");
        assertThat(tracker.onStatement("DO RELEASE_ALL_LOCKS()").pins()).isEmpty();
    }

    @Test
    void sqlPreparedStatementsPinUntilDeallocated() {
        assertThat(tracker.onStatement("PREPARE s1 FROM 'SELECT 1'").pins()).containsExactly(PinReason.PREPARED_STATEMENT);
        tracker.onStatement("EXECUTE s1");
        assertThat(tracker.onStatement("DEALLOCATE PREPARE s1").pins()).isEmpty();
    }

    @Test
    void writesKeepTheConnectionForAStatementThatReadsTheirResult() {
        StatementEffect insert = tracker.onStatement("INSERT INTO t VALUES (1)");
        assertThat(insert.keepConnectionForNextStatement()).isTrue();
        assertThat(insert.multiplexingSuspended()).isFalse();
        StatementEffect select = tracker.onStatement("SELECT LAST_INSERT_ID()");
        assertThat(select.readsPreviousResult()).isTrue();
        assertThat(select.keepConnectionForNextStatement()).isFalse();
    }

    @Test
    void sqlCalcFoundRowsKeepsTheConnectionForFoundRows() {
        assertThat(tracker.onStatement("SELECT SQL_CALC_FOUND_ROWS * FROM t LIMIT 1").keepConnectionForNextStatement())
                .isTrue();
        assertThat(tracker.onStatement("SELECT FOUND_ROWS()").readsPreviousResult()).isTrue();
    }

    @Test
    void useChangesTheSchema() {
        assertThat(tracker.onStatement("USE `other`").state().schema()).isEqualTo("other");
    }

    @Test
    void callIsNotUnderstoodButPlainQueriesAre() {
        assertThat(tracker.onStatement("SELECT 1").understood()).isTrue();
        assertThat(tracker.onStatement("CALL refresh()").understood()).isFalse();
    }

    @Test
    void setPasswordIsNeitherStateNorReplayed() {
        StatementEffect effect = tracker.onStatement("SET PASSWORD = 'secret'");
        assertThat(effect.state()).isEqualTo(SessionState.initial("app"));
        assertThat(effect.replayedVerbatim()).isFalse();
    }

    @Test
    void commentsAndTrailingSemicolonDoNotConfuseTheTracker() {
        StatementEffect effect = tracker.onStatement("  /* app */ SET -- why\n time_zone = 'UTC' ;");
        assertThat(effect.state().timeZone()).isEqualTo("'UTC'");
        assertThat(effect.understood()).isTrue();
    }

    @Test
    void userVariableFromAConstantLikeFunctionWithoutParenthesesPins() {
        assertThat(tracker.onStatement("SET @who = CURRENT_USER").pins()).containsExactly(PinReason.USER_VARIABLE);
        assertThat(tracker.onStatement("SET @who = NULL").pins()).isEmpty();
    }

    @Test
    void storedProgramBodiesAreNeitherSplitNorTracked() {
        StatementEffect effect = tracker.onStatement(
                "CREATE DEFINER=`root`@`%` PROCEDURE p() BEGIN SET @x = NOW(); LOCK TABLES t READ; END");
        assertThat(effect.pins()).isEmpty();
        assertThat(effect.state()).isEqualTo(SessionState.initial("app"));
    }

    @Test
    void mysqldumpExecutableCommentsAreTracked() {
        StatementEffect effect = tracker.onStatement(
                "/*!40101 SET NAMES utf8mb4 */; /*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */");
        assertThat(effect.state().charset().charset()).isEqualTo("utf8mb4");
        assertThat(effect.state().sqlMode()).isEqualTo("'NO_AUTO_VALUE_ON_ZERO'");
        assertThat(effect.pins()).containsExactly(PinReason.USER_VARIABLE);
    }

    @Test
    void multiStatementTextAppliesEachStatementInOrder() {
        StatementEffect effect = tracker.onStatement("SET @a = 1; LOCK TABLES t WRITE; SET @a = 2; INSERT INTO t VALUES (1)");
        assertThat(effect.state().userVariables()).containsEntry("a", "2");
        assertThat(effect.pins()).containsExactly(PinReason.TABLE_LOCK);
        assertThat(effect.keepConnectionForNextStatement()).isTrue();
    }

    @Test
    void openHandlerCursorsPinUntilClosed() {
        assertThat(tracker.onStatement("HANDLER app.t OPEN AS h").pins()).containsExactly(PinReason.HANDLER);
        assertThat(tracker.onStatement("HANDLER h READ FIRST").pins()).containsExactly(PinReason.HANDLER);
        assertThat(tracker.onStatement("HANDLER h CLOSE").pins()).isEmpty();
    }

    @Test
    void truncatedOrMalformedStatementsNeverThrow() {
        for (String sql : new String[] {"SET", "SET @", "SET x", "SET @a =", "SET NAMES", "SET CHARACTER SET",
                "HANDLER", "HANDLER t", "CREATE TEMPORARY TABLE", "DROP TABLE", "DROP TEMPORARY TABLE IF",
                "PREPARE", "DEALLOCATE PREPARE", "USE", "LOCK", "'unterminated", "/* open", "SELECT @", ";;;", "",
                "SELECT GET_LOCK(", "SET @@", "SET SESSION", "SET GLOBAL", "INTO @x"}) {
            StatementEffect effect = tracker.onStatement(sql);
            assertThat(effect).as(sql).isNotNull();
        }
    }
}
