package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;

/** What Connector/J reports when the other end closed the connection, as a server that went away does. */
final class ConnectionLost {
    private ConnectionLost() {
    }

    /** {@code e} is the driver's own communications failure (SQLSTATE 08S01, no server error code), not an ERR packet. */
    static void assertLost(SQLException e) {
        assertThat(e.getSQLState()).as("SQLSTATE of %s", e).isEqualTo("08S01");
        assertThat(e.getErrorCode()).as("error code of %s", e).isZero();
    }
}
