package io.switchyard.frontend.state;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SessionStateRestorerTest {

    private static SessionState after(String... statements) {
        SessionStateTracker tracker = new SessionStateTracker(SessionState.initial("app"));
        for (String sql : statements) {
            tracker.onStatement(sql);
        }
        return tracker.state();
    }

    @Test
    void identicalStatesNeedNothing() {
        SessionState state = after("SET NAMES utf8mb4", "SET @v = 'x'");
        assertThat(SessionStateRestorer.restore(state, state).isEmpty()).isTrue();
    }

    @Test
    void charsetIsRestoredWithSetNames() {
        SessionState to = after("SET NAMES utf8mb4 COLLATE utf8mb4_general_ci");
        assertThat(SessionStateRestorer.restoreStatements(SessionState.initial("app"), to))
                .containsExactly("SET NAMES utf8mb4 COLLATE utf8mb4_general_ci");
    }

    @Test
    void differingVariablesAreCombinedIntoOneSet() {
        SessionState to = after("SET sql_mode = 'ANSI'", "SET @v = 'x'", "SET autocommit = 0, wait_timeout = 100");
        assertThat(SessionStateRestorer.restoreStatements(SessionState.initial("app"), to))
                .containsExactly("SET SESSION autocommit = 0, SESSION sql_mode = 'ANSI', "
                        + "SESSION wait_timeout = 100, @v = 'x'");
    }

    @Test
    void onlyTheDifferenceIsSent() {
        SessionState from = after("SET sql_mode = 'ANSI'", "SET time_zone = '+00:00'");
        SessionState to = after("SET sql_mode = 'ANSI'", "SET time_zone = 'UTC'");
        assertThat(SessionStateRestorer.restoreStatements(from, to)).containsExactly("SET SESSION time_zone = 'UTC'");
    }

    @Test
    void variablesTheTargetNeverSetGoBackToDefault() {
        SessionState from = after("SET wait_timeout = 5", "SET @v = 1");
        assertThat(SessionStateRestorer.restoreStatements(from, SessionState.initial("app")))
                .containsExactly("SET SESSION wait_timeout = DEFAULT, @v = NULL");
    }

    @Test
    void isolationAndAccessModeUseSetSessionTransaction() {
        SessionState to = after("SET SESSION transaction_isolation = 'READ-COMMITTED'", "SET SESSION TRANSACTION READ ONLY");
        assertThat(SessionStateRestorer.restoreStatements(SessionState.initial("app"), to))
                .containsExactly("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED, READ ONLY");
    }

    @Test
    void schemaSwitchIsAnInitDb() {
        RestorePlan plan = SessionStateRestorer.restore(SessionState.initial("app"), after("USE reports"));
        assertThat(plan.initDb()).isEqualTo("reports");
        assertThat(plan.statements()).isEmpty();
    }

    @Test
    void verbatimSetsAreReplayedLastAndInOrder() {
        SessionState to = after("SET sql_mode = 'ANSI'",
                "SET sql_mode = CONCAT(@@sql_mode, ',STRICT_TRANS_TABLES')", "SET ROLE reporting");
        assertThat(SessionStateRestorer.restoreStatements(SessionState.initial("app"), to)).containsExactly(
                "SET SESSION sql_mode = 'ANSI'",
                "SET SESSION sql_mode = CONCAT(@@sql_mode, ',STRICT_TRANS_TABLES')",
                "SET ROLE reporting");
    }

    @Test
    void onlyNewVerbatimSetsAreReplayedOnAConnectionThatHasTheEarlierOnes() {
        SessionState from = after("SET ROLE reporting");
        SessionState to = after("SET ROLE reporting", "SET x = f()");
        RestorePlan plan = SessionStateRestorer.restore(from, to);
        assertThat(plan.resetFirst()).isFalse();
        assertThat(plan.statements()).containsExactly("SET SESSION x = f()");
    }

    @Test
    void aConnectionWithVerbatimSetsTheTargetLacksIsResetFirst() {
        SessionState from = after("SET ROLE reporting", "SET NAMES latin1");
        SessionState to = after("SET NAMES utf8mb4");
        RestorePlan plan = SessionStateRestorer.restore(from, to);
        assertThat(plan.resetFirst()).isTrue();
        assertThat(plan.statements()).containsExactly("SET NAMES utf8mb4");
    }

    @Test
    void aTypedChangeUnderAVerbatimSetRebuildsFromAFreshConnection() {
        SessionState from = after("SET sql_mode = 'A'", "SET sql_mode = CONCAT(@@sql_mode, ',B')");
        SessionState to = after("SET sql_mode = 'C'", "SET sql_mode = CONCAT(@@sql_mode, ',B')");
        assertThat(from.verbatimSets()).isEqualTo(to.verbatimSets());
        RestorePlan plan = SessionStateRestorer.restore(from, to);
        assertThat(plan.resetFirst()).isTrue();
        assertThat(plan.statements()).containsExactly("SET SESSION sql_mode = 'C'",
                "SET SESSION sql_mode = CONCAT(@@sql_mode, ',B')");
    }

    @Test
    void unsettingTheIsolationLevelNeedsAReset() {
        SessionState from = after("SET SESSION TRANSACTION ISOLATION LEVEL SERIALIZABLE");
        assertThat(SessionStateRestorer.restore(from, SessionState.initial("app")).resetFirst()).isTrue();
    }

    @Test
    void oddUserVariableNamesAreQuoted() {
        SessionState to = after("SET @`odd name` = 1");
        assertThat(SessionStateRestorer.restoreStatements(SessionState.initial("app"), to))
                .containsExactly("SET @`odd name` = 1");
    }
}
