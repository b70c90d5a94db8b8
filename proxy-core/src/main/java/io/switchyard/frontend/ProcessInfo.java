package io.switchyard.frontend;

/**
 * One client session as the process list shows it ({@code stats_mysql_processlist}). A
 * snapshot read from another thread: fields are individually current, not mutually consistent.
 *
 * @param sessionId the proxy's session id (the thread id the client was given)
 * @param user the authenticated user, or null during login
 * @param schema the session's current schema, or null
 * @param clientHost client IP
 * @param clientPort client port
 * @param hostgroup hostgroup of the statement running now, or -1
 * @param serverHost server running it, or null
 * @param serverPort its port, or 0
 * @param backendThreadId the server's thread id for the connection, or -1
 * @param command {@code Query}, {@code Sleep}, {@code Connect} …
 * @param timeMillis how long the current command has run (or the session slept)
 * @param info the statement running now (truncated), or null
 */
public record ProcessInfo(long sessionId, String user, String schema, String clientHost, int clientPort, int hostgroup,
                          String serverHost, int serverPort, long backendThreadId, String command, long timeMillis,
                          String info) {}
