package io.switchyard.runtime;

/**
 * A hostgroup that a user or a query rule names while no server is in it and no replication
 * hostgroup pair contains it. It is accepted rather than refused because configuration parts are
 * loaded one at a time: renaming a hostgroup moves the servers with one {@code LOAD} and the rules
 * with another, and between the two one of them points at a hostgroup the other does not provide
 * yet. A statement routed there is treated as for a hostgroup whose servers are all down: it
 * waits up to {@code mysql-writer_wait_timeout} for a server to appear, then fails with 9001.
 * Immutable.
 *
 * @param row the row that names the hostgroup, as the admin names rows, e.g. {@code mysql_query_rules row (rule_id=10)}
 * @param column the column that names it, e.g. {@code destination_hostgroup}
 * @param hostgroup the hostgroup named
 */
public record DanglingReference(String row, String column, int hostgroup) {

    /** What is wrong, naming the row, the column and the hostgroup. */
    public String message() {
        return row + ": " + column + " " + hostgroup + " has no servers and is in no replication hostgroup";
    }
}
