package io.switchyard.backend;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A session's session-tracking settings ({@code session_track_system_variables},
 * {@code session_track_schema}, {@code session_track_state_change},
 * {@code session_track_transaction_info}): what the server reports in OK packets. Backend
 * connections always track everything; a client sees what its own settings ask for.
 *
 * <p>Immutable; thread-safe.
 *
 * @param systemVariables the lower-case names tracked, or {@code null} for all ({@code *})
 * @param schema whether schema changes are reported
 * @param stateChange whether "the session state changed" is reported
 * @param transactionInfo {@code OFF}, {@code STATE} or {@code CHARACTERISTICS}
 */
public record TrackingSettings(Set<String> systemVariables, boolean schema, boolean stateChange, String transactionInfo) {

    /** The settings from the four variables' values as a {@code SELECT} returns them. */
    public static TrackingSettings of(String systemVariables, String schema, String stateChange, String transactionInfo) {
        Set<String> names = systemVariables == null || systemVariables.strip().equals("*") ? null
                : Arrays.stream(systemVariables.split(",")).map(s -> s.strip().toLowerCase(Locale.ROOT))
                        .filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
        return new TrackingSettings(names, truthy(schema), truthy(stateChange),
                transactionInfo == null ? "OFF" : transactionInfo.toUpperCase(Locale.ROOT));
    }

    private static boolean truthy(String v) {
        return v != null && (v.equals("1") || v.equalsIgnoreCase("ON"));
    }

    /** These settings with {@code variable} (one of the four, lower case) at {@code value}, as a {@code SELECT} returns it. */
    public TrackingSettings with(String variable, String value) {
        return switch (variable) {
            case "session_track_system_variables" -> of(value, schema ? "1" : "0", stateChange ? "1" : "0", transactionInfo);
            case "session_track_schema" -> new TrackingSettings(systemVariables, truthy(value), stateChange, transactionInfo);
            case "session_track_state_change" -> new TrackingSettings(systemVariables, schema, truthy(value), transactionInfo);
            case "session_track_transaction_info" -> new TrackingSettings(systemVariables, schema, stateChange,
                    value == null ? "OFF" : value.toUpperCase(Locale.ROOT));
            default -> throw new IllegalArgumentException("not a session-tracking variable: " + variable);
        };
    }

    /** The value of {@code variable} (one of the four, lower case) as a {@code SELECT} returns it. */
    public String value(String variable) {
        return switch (variable) {
            case "session_track_system_variables" -> systemVariables == null ? "*"
                    : String.join(",", new java.util.TreeSet<>(systemVariables));
            case "session_track_schema" -> schema ? "1" : "0";
            case "session_track_state_change" -> stateChange ? "1" : "0";
            case "session_track_transaction_info" -> transactionInfo;
            default -> throw new IllegalArgumentException("not a session-tracking variable: " + variable);
        };
    }

    /**
     * The {@code SET SESSION} that gives a connection these settings, as the server would show
     * them (it lists variables sorted, in lower case).
     */
    public String assignment() {
        return "SET SESSION " + values();
    }

    /**
     * The same for one statement only, to be put before it ({@code SET STATEMENT ... FOR }): the
     * server takes its settings back after that statement, and sets {@code ROW_COUNT()} only by
     * the statement itself.
     */
    public String forOneStatement() {
        return "SET STATEMENT " + values() + " FOR ";
    }

    private String values() {
        String names = systemVariables == null ? "*" : String.join(",", new java.util.TreeSet<>(systemVariables));
        return "session_track_system_variables = '" + names + "', session_track_schema = " + (schema ? "ON" : "OFF")
                + ", session_track_state_change = " + (stateChange ? "ON" : "OFF") + ", session_track_transaction_info = '"
                + transactionInfo + "'";
    }

    /** True when a change of {@code variable} is reported. */
    public boolean tracksVariable(String variable) {
        return systemVariables == null || systemVariables.contains(variable.toLowerCase(Locale.ROOT));
    }

    /** True when the transaction state is reported. */
    public boolean tracksTransactionState() {
        return !transactionInfo.equals("OFF");
    }

    /** True when the characteristics of the next transaction are reported. */
    public boolean tracksTransactionCharacteristics() {
        return transactionInfo.equals("CHARACTERISTICS");
    }
}
