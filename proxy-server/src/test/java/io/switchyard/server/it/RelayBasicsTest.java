package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RelayBasicsTest {
    static ProxyFixture fixture;

    @BeforeAll
    static void start() {
        fixture = ProxyFixture.start(0);
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void connectorJRunsTextAndServerPreparedStatementsAndCursorFetch() throws Exception {
        try (Connection c = fixture.mysql("useServerPrepStmts=true&useCursorFetch=true&defaultFetchSize=7")) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS basics (id INT PRIMARY KEY, v VARCHAR(20))");
                s.execute("DELETE FROM basics");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO basics VALUES (?, ?)")) {
                for (int i = 0; i < 50; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, "v" + i);
                    ps.executeUpdate();
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT id, v FROM basics WHERE id >= ? ORDER BY id")) {
                ps.setInt(1, 10);
                try (ResultSet rs = ps.executeQuery()) {
                    int n = 0;
                    while (rs.next()) {
                        assertThat(rs.getString(2)).isEqualTo("v" + rs.getInt(1));
                        n++;
                    }
                    assertThat(n).isEqualTo(40);
                }
            }
        }
        assertThat(fixture.backendConnectionsInUse()).isZero();
    }

    @Test
    void mariadbConnectorRunsQueries() throws Exception {
        try (Connection c = fixture.mariadb("useServerPrepStmts=true"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT @@server_id, DATABASE()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(2)).isEqualTo("app");
        }
    }
}
