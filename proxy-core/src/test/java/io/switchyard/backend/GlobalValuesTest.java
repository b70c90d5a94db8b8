package io.switchyard.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GlobalValuesTest {

    @Test
    void theMonitorsReadingsRecordWhatChangedBetweenThemAndOnlyWhatCanBeFollowed() {
        GlobalValues globals = new GlobalValues();
        assertThat(globals.watchedValue("max_sort_length")).as("before any reading").isNull();
        Map<String, String> reading = new HashMap<>(Map.of("sql_mode", "STRICT_TRANS_TABLES", "max_sort_length", "1024",
                "binlog_format", "MIXED", "character_set_client", "latin1", "wsrep_on", "OFF"));
        globals.watched(reading);
        assertThat(globals.watching()).isTrue();
        assertThat(globals.names()).as("the first reading only sets the mark").isEmpty();
        assertThat(globals.watchedValue("max_sort_length")).as("the server's own default, as read").isEqualTo("1024");

        long before = GlobalValues.now();
        reading.putAll(Map.of("sql_mode", "ANSI_QUOTES", "binlog_format", "ROW", "character_set_client", "utf8mb4",
                "wsrep_on", "ON"));
        globals.watched(reading);
        assertThat(globals.names()).as("binlog_format, the character sets and wsrep_* are not followed")
                .containsExactly("sql_mode");
        assertThat(globals.at("sql_mode", before).raw()).as("a session from before keeps the old value")
                .isEqualTo("STRICT_TRANS_TABLES");
        assertThat(globals.at("sql_mode", GlobalValues.now()).raw()).isEqualTo("ANSI_QUOTES");

        long unchanged = GlobalValues.now();
        globals.watched(reading);
        assertThat(GlobalValues.now()).as("the same reading again records nothing").isEqualTo(unchanged);

        globals.record(List.of(globals.changeTo("sql_mode", "TRADITIONAL")));
        long seenThroughTheProxy = GlobalValues.now();
        reading.put("sql_mode", "TRADITIONAL");
        globals.watched(reading);
        assertThat(GlobalValues.now()).as("a change the proxy recorded itself is not recorded twice")
                .isEqualTo(seenThroughTheProxy);
    }

    @Test
    void aChangeOfAGlobalALoginTakesMakesOlderConnectionsStaleForNewerSessionsOnly() {
        GlobalValues globals = new GlobalValues();
        Map<String, String> reading = new HashMap<>(Map.of("max_allowed_packet", "16777216", "sort_buffer_size", "2097152"));
        globals.watched(reading);
        long connectionBefore = GlobalValues.now();
        assertThat(globals.loginOnlyStale(connectionBefore, connectionBefore)).as("nothing changed yet").isFalse();

        reading.put("max_allowed_packet", "33554432");
        globals.watched(reading);
        long changed = globals.loginOnlyChanged();
        assertThat(changed).isGreaterThan(connectionBefore);
        assertThat(globals.names()).as("not followed: no session may set it").doesNotContain("max_allowed_packet");
        assertThat(globals.loginOnlyStale(connectionBefore, GlobalValues.now())).as("an older connection, a newer session").isTrue();
        assertThat(globals.loginOnlyStale(connectionBefore, connectionBefore)).as("an older session takes any").isFalse();
        assertThat(globals.loginOnlyStale(GlobalValues.now(), GlobalValues.now())).as("a newer connection").isFalse();

        globals.watched(reading);
        assertThat(globals.loginOnlyChanged()).as("the same reading again").isEqualTo(changed);

        GlobalValues.Observation observation = globals.observation();
        assertThat(observation.names()).as("read again when a session starts, once one changed").contains("max_allowed_packet");
        List<String> values = observation.names().stream().map(n -> n.equals("max_allowed_packet") ? "33554432" : "0").toList();
        globals.observed(observation.names(), values);
        assertThat(globals.loginOnlyChanged()).as("read at a session's start, unchanged").isEqualTo(changed);
        values = observation.names().stream().map(n -> n.equals("max_allowed_packet") ? "1048576" : "0").toList();
        globals.observed(observation.names(), values);
        assertThat(globals.loginOnlyChanged()).as("changed directly, read at a session's start").isGreaterThan(changed);
        assertThat(GlobalValues.watchable("max_allowed_packet")).isTrue();
        assertThat(GlobalValues.watchable("net_buffer_length")).isTrue();
        assertThat(GlobalValues.watchable("binlog_format")).isFalse();
    }

    @Test
    void followableVariablesExcludeThoseNoSessionCanBeGiven() {
        assertThat(GlobalValues.followable("sql_mode")).isTrue();
        assertThat(GlobalValues.followable("session_track_system_variables")).isTrue();
        assertThat(GlobalValues.followable("max_allowed_packet")).isFalse();
        assertThat(GlobalValues.followable("sql_log_bin")).isFalse();
        assertThat(GlobalValues.followable("collation_connection")).isFalse();
        assertThat(GlobalValues.followable("wsrep_sync_wait")).isFalse();
        assertThat(GlobalValues.followable("x; DROP TABLE t")).isFalse();
    }
}
