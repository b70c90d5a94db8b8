package io.switchyard.admin;

/**
 * What a statement may know of the admin session that sent it. Immutable: the session (on its
 * event loop) hands a copy to the SQL thread with each statement.
 *
 * @param connectionId the id given to the client in the greeting
 * @param user the logged-in admin user
 * @param clientHost the client's address
 * @param schema the schema chosen with USE (initially {@code main})
 */
record SessionView(long connectionId, String user, String clientHost, String schema) {
    SessionView withSchema(String next) {
        return new SessionView(connectionId, user, clientHost, next);
    }
}
