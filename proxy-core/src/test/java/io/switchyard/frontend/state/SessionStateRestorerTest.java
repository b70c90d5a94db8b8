package io.switchyard.frontend.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.backend.ConnectionState;
import io.switchyard.backend.GlobalValues;
import io.switchyard.backend.SessionBaseline;
import io.switchyard.backend.TrackingSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionStateRestorerTest {
    private static final SessionBaseline BASELINE = new SessionBaseline(Map.of("character_set_client", "'utf8mb4'",
            "character_set_connection", "'utf8mb4'", "character_set_results", "'utf8mb4'",
            "collation_connection", "'utf8mb4_general_ci'"), TrackingSettings.of("autocommit", "1", "0", "OFF"));

    private static ConnectionState state(String schema, String... pairs) {
        Map<String, String> vars = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            vars.put(pairs[i], pairs[i + 1]);
        }
        return new ConnectionState(schema, vars, 0);
    }

    /**
     * A reset leaves the schema's character-set variables at the globals, and {@code COM_INIT_DB}
     * gives them the schema's: a session that has them at the globals gets them assigned after
     * its schema is selected, also on a connection that had them so in another schema.
     */
    @Test
    void theSchemasCharacterSetVariablesAResetLeftAreAssignedAfterTheSchemaIsSelected() {
        ConnectionState afterReset = state("app", "character_set_database", "'utf8mb4'", "collation_database", "'utf8mb4_general_ci'");
        String assigned = "SET SESSION character_set_database = 'utf8mb4', collation_database = 'utf8mb4_general_ci'";
        assertThat(SessionStateRestorer.restore(state("app"), afterReset, BASELINE).steps())
                .extracting(SessionStateRestorer.Step::argument).containsExactly(assigned);
        ConnectionState otherAfterReset = state("other", "character_set_database", "'utf8mb4'",
                "collation_database", "'utf8mb4_general_ci'");
        assertThat(SessionStateRestorer.restore(otherAfterReset, afterReset, BASELINE).steps())
                .extracting(SessionStateRestorer.Step::argument).containsExactly("app", assigned);
        assertThat(SessionStateRestorer.restore(afterReset, afterReset, BASELINE).isEmpty()).isTrue();
    }

    @Test
    void aSessionThatStartedAfterASetGlobalGetsTheNewValueOnAConnectionFromBefore() {
        GlobalValues globals = new GlobalValues();
        long change = globals.record(List.of(new GlobalValues.Change("sql_mode", true, "STRICT_ALL_TABLES", "ANSI_QUOTES")));
        ConnectionState older = new ConnectionState("a", Map.of(), change - 1);
        ConnectionState newer = new ConnectionState("a", Map.of(), change);

        assertThat(SessionStateRestorer.restore(older, newer, BASELINE, globals).set())
                .isEqualTo("SET SESSION sql_mode = 'ANSI_QUOTES'");
        assertThat(SessionStateRestorer.restore(newer, older, BASELINE, globals).set())
                .as("a session that started before keeps the value it started with")
                .isEqualTo("SET SESSION sql_mode = 'STRICT_ALL_TABLES'");
        assertThat(SessionStateRestorer.restore(older, new ConnectionState("a", Map.of(), change - 1), BASELINE, globals)
                .isEmpty()).isTrue();
    }

    @Test
    void aVariableTheSessionSetItselfWinsAndGoesBackToTheGlobalItStartedWith() {
        GlobalValues globals = new GlobalValues();
        long change = globals.record(List.of(new GlobalValues.Change("max_sort_length", true, "1024", "2000")));

        assertThat(SessionStateRestorer.restore(new ConnectionState("a", Map.of(), change - 1),
                new ConnectionState("a", Map.of("max_sort_length", "1500"), change), BASELINE, globals).set())
                .isEqualTo("SET SESSION max_sort_length = 1500");
        assertThat(SessionStateRestorer.restore(new ConnectionState("a", Map.of("max_sort_length", "1500"), change),
                new ConnectionState("a", Map.of(), change - 1), BASELINE, globals).set())
                .as("not DEFAULT, which is the global as it is now")
                .isEqualTo("SET SESSION max_sort_length = 1024");
    }

    @Test
    void equalStatesNeedNothing() {
        assertThat(SessionStateRestorer.restore(state("a", "sql_mode", "''"), state("a", "sql_mode", "''"), BASELINE).isEmpty()).isTrue();
    }

    @Test
    void missingVariablesAreSetAndExtraOnesGoBackToTheirLoginValue() {
        SessionStateRestorer.Plan plan = SessionStateRestorer.restore(state("a", "time_zone", "'+01:00'", "last_insert_id", "5"),
                state("b", "sql_mode", "'ANSI'"), BASELINE);

        assertThat(plan.initDb()).isEqualTo("b");
        assertThat(plan.set()).isEqualTo("SET SESSION time_zone = DEFAULT, last_insert_id = 0, sql_mode = 'ANSI'");
    }

    /** The schema name goes in UTF-8: COM_INIT_DB runs while the connection's client character set reads UTF-8. */
    @Test
    void theSchemaIsSelectedWhileTheClientCharacterSetReadsUtf8() {
        ConnectionState cp932 = state("a", "character_set_client", "'cp932'", "character_set_connection", "'cp932'",
                "character_set_results", "'cp932'", "collation_connection", "'cp932_japanese_ci'");
        ConnectionState latin1 = state("b", "character_set_client", "'latin1'", "character_set_results", "'latin1'",
                "collation_database", "'latin1_bin'");

        SessionStateRestorer.Plan utf8Connection = SessionStateRestorer.restore(state("a"), latin1, BASELINE);
        assertThat(utf8Connection.steps()).extracting(SessionStateRestorer.Step::argument).containsExactly("b",
                "SET SESSION character_set_client = 'latin1', character_set_results = 'latin1', collation_database = 'latin1_bin'");

        SessionStateRestorer.Plan utf8Session = SessionStateRestorer.restore(cp932, state("b", "collation_database", "'latin1_bin'"),
                BASELINE);
        assertThat(utf8Session.steps()).extracting(SessionStateRestorer.Step::argument).containsExactly(
                "SET SESSION character_set_client = 'utf8mb4', character_set_connection = 'utf8mb4', "
                        + "character_set_results = 'utf8mb4', collation_connection = 'utf8mb4_general_ci'",
                "b", "SET SESSION collation_database = 'latin1_bin'");

        SessionStateRestorer.Plan neither = SessionStateRestorer.restore(cp932, latin1, BASELINE);
        assertThat(neither.steps()).extracting(SessionStateRestorer.Step::argument).containsExactly(
                "SET SESSION character_set_client = utf8mb4", "b",
                "SET SESSION character_set_client = 'latin1', character_set_connection = 'utf8mb4', "
                        + "character_set_results = 'latin1', collation_connection = 'utf8mb4_general_ci', "
                        + "collation_database = 'latin1_bin'");
    }

    @Test
    void characterSetsGoBackToTheLoginCollationsValuesNotTheServerDefault() {
        SessionStateRestorer.Plan plan = SessionStateRestorer.restore(
                state("a", "character_set_client", "'latin1'", "character_set_connection", "'latin1'",
                        "character_set_results", "'latin1'", "collation_connection", "'latin1_swedish_ci'"),
                state("a"), BASELINE);

        assertThat(plan.set()).isEqualTo("SET SESSION character_set_client = 'utf8mb4', character_set_connection = 'utf8mb4', "
                + "character_set_results = 'utf8mb4', collation_connection = 'utf8mb4_general_ci'");
    }

    @Test
    void aCollationTheClientsCharacterSetGotFromSetNamesIsGivenBySetNames() {
        ConnectionState bin = state("a", "collation_connection", "'utf8mb4_bin'",
                SessionStateTracker.CLIENT_COLLATION, "'utf8mb4_bin'", SessionStateTracker.RESULTS_COLLATION, "'utf8mb4_bin'");

        assertThat(SessionStateRestorer.restore(state("a"), bin, BASELINE).set()).isEqualTo("SET NAMES utf8mb4 COLLATE utf8mb4_bin, "
                + "SESSION character_set_connection = 'utf8mb4', collation_connection = 'utf8mb4_bin'");
        assertThat(SessionStateRestorer.restore(bin, state("a"), BASELINE).set()).as("back to the login's, by assignment")
                .isEqualTo("SET SESSION character_set_client = 'utf8mb4', character_set_results = 'utf8mb4', "
                        + "collation_connection = 'utf8mb4_general_ci'");
    }

    @Test
    void resultsInAnotherCharacterSetThanTheClientsCollationAreAssignedAfterSetNames() {
        ConnectionState binaryResults = state("a", "character_set_results", "'binary'", "collation_connection", "'utf8mb4_bin'",
                SessionStateTracker.CLIENT_COLLATION, "'utf8mb4_bin'", SessionStateTracker.RESULTS_COLLATION, "'binary'");

        assertThat(SessionStateRestorer.restore(state("a"), binaryResults, BASELINE).set()).isEqualTo("SET NAMES utf8mb4 "
                + "COLLATE utf8mb4_bin, SESSION character_set_connection = 'utf8mb4', character_set_results = 'binary', "
                + "collation_connection = 'utf8mb4_bin'");
    }

    @Test
    void aLoginCollationThatIsNotTheDefaultIsGivenBackBySetNames() {
        SessionBaseline unicode = new SessionBaseline(Map.of("character_set_client", "'utf8mb4'", "character_set_connection", "'utf8mb4'",
                "character_set_results", "'utf8mb4'", "collation_connection", "'utf8mb4_unicode_ci'"), BASELINE.tracking());
        ConnectionState general = state("a", "collation_connection", "'utf8mb4_general_ci'",
                SessionStateTracker.CLIENT_COLLATION, "'utf8mb4_general_ci'", SessionStateTracker.RESULTS_COLLATION, "'utf8mb4_general_ci'");

        assertThat(SessionStateRestorer.restore(general, state("a"), unicode).set()).isEqualTo("SET NAMES utf8mb4 "
                + "COLLATE utf8mb4_unicode_ci, SESSION character_set_connection = 'utf8mb4', collation_connection = 'utf8mb4_unicode_ci'");
        assertThat(SessionStateRestorer.restore(state("a"), general, unicode).set()).isEqualTo("SET SESSION character_set_client = "
                + "'utf8mb4', character_set_results = 'utf8mb4', collation_connection = 'utf8mb4_general_ci'");
    }

    @Test
    void aResetConnectionGetsTheLoginsSqlModeBackWhereTheResetDroppedIt() {
        // a client with CLIENT_IGNORE_SPACE logs in with IGNORE_SPACE added; COM_RESET_CONNECTION drops it
        SessionBaseline baseline = new SessionBaseline(Map.of("sql_mode", "'IGNORE_SPACE,STRICT_TRANS_TABLES'"),
                BASELINE.tracking(), Map.of("sql_mode", "'STRICT_TRANS_TABLES'"));

        SessionStateRestorer.Plan plan = SessionStateRestorer.restore(baseline.afterReset("a"), state("a"), baseline);

        assertThat(plan.set()).isEqualTo("SET SESSION sql_mode = 'IGNORE_SPACE,STRICT_TRANS_TABLES'");
    }

    @Test
    void aCollationIsSetAgainAfterItsCharacterSet() {
        SessionStateRestorer.Plan plan = SessionStateRestorer.restore(
                state("a", "character_set_connection", "'latin1'", "collation_connection", "'utf8mb4_bin'"),
                state("a", "collation_connection", "'utf8mb4_bin'"), BASELINE);

        assertThat(plan.set()).isEqualTo("SET SESSION character_set_connection = 'utf8mb4', collation_connection = 'utf8mb4_bin'");
    }
}
