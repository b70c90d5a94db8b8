package io.switchyard.monitor;

/**
 * A change of a server's status (ONLINE, SHUNNED, SHUNNED_REPLICATION_LAG), as its circuit
 * breaker or the lag check made it. Immutable.
 *
 * @param hostname the server's host
 * @param port the server's port
 * @param timeUs when it changed, epoch microseconds
 * @param from the status before
 * @param to the status after
 * @param reason what caused it, e.g. {@code 2 monitor pings failed in a row}
 */
public record StatusChangeRow(String hostname, int port, long timeUs, String from, String to, String reason) {}
