package io.switchyard.admin;

import java.util.List;

/**
 * What a statement may know of the admin session that sent it. Immutable: the session (on its
 * event loop) hands a copy to the SQL thread with each statement.
 *
 * @param connectionId the id given to the client in the greeting
 * @param user the logged-in admin user
 * @param clientHost the client's address
 * @param schema the schema chosen with USE (initially {@code main})
 * @param warnings what the session's last statement left for {@code SHOW WARNINGS}
 */
record SessionView(long connectionId, String user, String clientHost, String schema, List<AdminWarning> warnings) {
    SessionView {
        warnings = List.copyOf(warnings);
    }

    SessionView(long connectionId, String user, String clientHost, String schema) {
        this(connectionId, user, clientHost, schema, List.of());
    }

    SessionView withSchema(String next) {
        return new SessionView(connectionId, user, clientHost, next, warnings);
    }

    SessionView withWarnings(List<AdminWarning> next) {
        return new SessionView(connectionId, user, clientHost, schema, next);
    }
}
