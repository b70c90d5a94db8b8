package io.switchyard.admin;

import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.ProxyError;
import java.util.List;

/**
 * One row of {@code SHOW WARNINGS}: what the session's last statement left to tell. A statement
 * that succeeded may leave warnings (counted in its OK packet); one that failed leaves its error.
 * Immutable.
 *
 * @param level {@code Warning} or {@code Error}
 * @param code a code of the proxy's catalogue ({@link ProxyError})
 * @param message what happened and what to do
 * @see <a href="https://dev.mysql.com/doc/refman/8.0/en/show-warnings.html">SHOW WARNINGS</a>
 */
record AdminWarning(Level level, int code, String message) {

    /** MySQL's levels that the admin uses, spelled as MySQL shows them. */
    enum Level {
        WARNING("Warning"), ERROR("Error");

        final String spelling;

        Level(String spelling) {
            this.spelling = spelling;
        }
    }

    /** {@code error}'s entry as a note for {@code SHOW WARNINGS}, on a statement that succeeded. */
    static AdminWarning warning(ProxyError error, Object... args) {
        return new AdminWarning(Level.WARNING, error.code, error.format(args).message());
    }

    /** The warnings an admin result leaves: an error's own, an OK's, none for a result set. */
    static List<AdminWarning> of(AdminResult result) {
        return switch (result) {
            case AdminResult.Ok ok -> ok.warnings();
            case AdminResult.Error err -> List.of(fromError(err.error()));
            case AdminResult.Rows rows -> List.of();
        };
    }

    private static AdminWarning fromError(ErrPacket err) {
        return new AdminWarning(Level.ERROR, err.code(), err.message());
    }
}
