package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchyard.server.launcher.MariaDbCluster;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** MySQL Connector/J 9 through the proxy: the features applications use, as a bare server answers them. */
@Timeout(60)
class ConnectorJTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, "");




    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"useServerPrepStmts=false", "useServerPrepStmts=true"})
    void preparedStatementsBindAndReturnValues(String mode) throws SQLException {
        try (Connection connection = fixture.mysql(mode);
                Statement ddl = connection.createStatement()) {
            ddl.execute("CREATE OR REPLACE TABLE cj_prepared (id INT PRIMARY KEY, name VARCHAR(50), amount DECIMAL(10,2))");
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO cj_prepared VALUES (?, ?, ?)")) {
                for (int id = 1; id <= 5; id++) {
                    insert.setInt(1, id);
                    insert.setString(2, id == 3 ? null : "name-" + id + "'\"\\");
                    insert.setBigDecimal(3, new java.math.BigDecimal(id + ".25"));
                    assertThat(insert.executeUpdate()).isEqualTo(1);
                }
            }
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT name, amount FROM cj_prepared WHERE id >= ? ORDER BY id")) {
                for (int round = 0; round < 3; round++) {
                    select.setInt(1, 2);
                    List<String> names = new ArrayList<>();
                    try (ResultSet rows = select.executeQuery()) {
                        while (rows.next()) {
                            names.add(rows.getString(1) + "/" + rows.getBigDecimal(2).toPlainString());
                        }
                    }
                    assertThat(names).containsExactly("name-2'\"\\/2.25", "null/3.25", "name-4'\"\\/4.25",
                            "name-5'\"\\/5.25");
                }
            }
        }
    }

    @Test
    void cursorFetchStreamsAThousandRowsTenAtATime() throws SQLException {
        try (Connection connection = fixture.mysql("useCursorFetch=true&defaultFetchSize=10");
                Statement ddl = connection.createStatement()) {
            ddl.execute("CREATE OR REPLACE TABLE cj_cursor (id INT PRIMARY KEY, payload VARCHAR(20))");
            ddl.execute("INSERT INTO cj_cursor SELECT seq, CONCAT('row-', seq) FROM seq_1_to_1000");
            try (PreparedStatement select = connection.prepareStatement("SELECT id, payload FROM cj_cursor ORDER BY id")) {
                assertThat(select.getFetchSize()).isEqualTo(10);
                long count = 0;
                long sum = 0;
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        count++;
                        sum += rows.getInt(1);
                        assertThat(rows.getString(2)).isEqualTo("row-" + rows.getInt(1));
                    }
                }
                assertThat(count).isEqualTo(1000);
                assertThat(sum).isEqualTo(1000L * 1001 / 2);
            }
            try (ResultSet rows = ddl.executeQuery("SELECT 1")) {
                assertThat(rows.next()).isTrue();
            }
        }
    }

    @Test
    void rewrittenBatchInsertsAThousandRows() throws SQLException {
        try (Connection connection = fixture.mysql("rewriteBatchedStatements=true");
                Statement ddl = connection.createStatement()) {
            ddl.execute("CREATE OR REPLACE TABLE cj_batch (id INT PRIMARY KEY, v VARCHAR(20))");
            int[] counts;
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO cj_batch VALUES (?, ?)")) {
                for (int id = 1; id <= 1000; id++) {
                    insert.setInt(1, id);
                    insert.setString(2, "v" + id);
                    insert.addBatch();
                }
                counts = insert.executeBatch();
            }
            assertThat(java.util.Arrays.stream(counts).boxed().toList()).hasSize(1000)
                    .allMatch(count -> count == 1 || count == Statement.SUCCESS_NO_INFO);
            try (ResultSet rows = ddl.executeQuery("SELECT COUNT(*), SUM(id) FROM cj_batch")) {
                rows.next();
                assertThat(rows.getInt(1)).isEqualTo(1000);
                assertThat(rows.getLong(2)).isEqualTo(500_500L);
            }
        }
    }

    @Test
    void queryTimeoutCancelsTheStatementAndTheConnectionStaysUsable() throws SQLException {
        try (Connection connection = fixture.mysql("");
                Statement statement = connection.createStatement()) {
            statement.setQueryTimeout(1);
            long started = System.nanoTime();
            assertThatThrownBy(() -> statement.executeQuery("SELECT SLEEP(5)")).isInstanceOf(SQLTimeoutException.class);
            assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(4_000);
            statement.setQueryTimeout(0);
            try (ResultSet rows = statement.executeQuery("SELECT 42")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getInt(1)).isEqualTo(42);
            }
        }
    }

    @Test
    void generatedKeysComeFromAutoIncrement() throws SQLException {
        try (Connection connection = fixture.mysql("");
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE OR REPLACE TABLE cj_keys (id BIGINT AUTO_INCREMENT PRIMARY KEY, v INT) AUTO_INCREMENT=100");
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO cj_keys (v) VALUES (?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                insert.setInt(1, 7);
                insert.executeUpdate();
                try (ResultSet keys = insert.getGeneratedKeys()) {
                    assertThat(keys.next()).isTrue();
                    assertThat(keys.getLong(1)).isEqualTo(100);
                }
            }
            statement.executeUpdate("INSERT INTO cj_keys (v) VALUES (1), (2), (3)", Statement.RETURN_GENERATED_KEYS);
            List<Long> keys = new ArrayList<>();
            try (ResultSet rows = statement.getGeneratedKeys()) {
                while (rows.next()) {
                    keys.add(rows.getLong(1));
                }
            }
            assertThat(keys).containsExactly(101L, 102L, 103L);
        }
    }

    @Test
    void storedProcedureReturnsTwoResultSetsAndAnOutParameter() throws SQLException {
        try (Connection connection = fixture.mysql("");
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE OR REPLACE PROCEDURE cj_two_results(IN n INT, OUT total INT) "
                    + "BEGIN SELECT seq FROM seq_1_to_3; SELECT 'second', n; SET total = n * 2; END");
            try (CallableStatement call = connection.prepareCall("{CALL cj_two_results(?, ?)}")) {
                call.setInt(1, 21);
                call.registerOutParameter(2, Types.INTEGER);
                assertThat(call.execute()).isTrue();
                List<Integer> first = new ArrayList<>();
                try (ResultSet rows = call.getResultSet()) {
                    while (rows.next()) {
                        first.add(rows.getInt(1));
                    }
                }
                assertThat(first).containsExactly(1, 2, 3);
                assertThat(call.getMoreResults()).isTrue();
                try (ResultSet rows = call.getResultSet()) {
                    assertThat(rows.next()).isTrue();
                    assertThat(rows.getString(1)).isEqualTo("second");
                    assertThat(rows.getInt(2)).isEqualTo(21);
                    assertThat(rows.next()).isFalse();
                }
                assertThat(call.getMoreResults()).isFalse();
                assertThat(call.getInt(2)).isEqualTo(42);
            }
        }
    }

    @Test
    void multiStatementQueryReturnsEveryResultInOrder() throws SQLException {
        try (Connection connection = fixture.mysql("allowMultiQueries=true");
                Statement statement = connection.createStatement()) {
            boolean isResultSet = statement.execute("CREATE OR REPLACE TABLE cj_multi (id INT); "
                    + "INSERT INTO cj_multi VALUES (1), (2); SELECT COUNT(*) FROM cj_multi; "
                    + "UPDATE cj_multi SET id = id + 10; SELECT id FROM cj_multi ORDER BY id");
            List<String> results = new ArrayList<>();
            while (true) {
                if (isResultSet) {
                    StringBuilder row = new StringBuilder("rows:");
                    try (ResultSet rows = statement.getResultSet()) {
                        while (rows.next()) {
                            row.append(' ').append(rows.getString(1));
                        }
                    }
                    results.add(row.toString());
                } else {
                    int count = statement.getUpdateCount();
                    if (count == -1) {
                        break;
                    }
                    results.add("count: " + count);
                }
                isResultSet = statement.getMoreResults();
            }
            assertThat(results).containsExactly("count: 0", "count: 2", "rows: 2", "count: 2", "rows: 11 12");
            try (ResultSet rows = statement.executeQuery("SELECT 1")) {
                assertThat(rows.next()).isTrue();
            }
        }
    }

    @Test
    void transactionsCommitAndRollBack() throws SQLException {
        try (Connection connection = fixture.mysql("");
                Connection observer = fixture.mysql("");
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE OR REPLACE TABLE cj_tx (id INT PRIMARY KEY) ENGINE=InnoDB");
            connection.setAutoCommit(false);
            statement.executeUpdate("INSERT INTO cj_tx VALUES (1)");
            assertThat(count(observer, "cj_tx")).as("uncommitted row is invisible to others").isZero();
            connection.commit();
            assertThat(count(observer, "cj_tx")).isEqualTo(1);

            statement.executeUpdate("INSERT INTO cj_tx VALUES (2)");
            assertThat(count(connection, "cj_tx")).as("own uncommitted row is visible").isEqualTo(2);
            connection.rollback();
            assertThat(count(connection, "cj_tx")).isEqualTo(1);
            connection.setAutoCommit(true);
            assertThat(count(observer, "cj_tx")).isEqualTo(1);
        }
    }

    @Test
    void sessionWithoutDatabaseHasNone() throws SQLException {
        String url = "jdbc:mysql://" + fixture.host() + ":" + fixture.port()
                + "/?sslMode=DISABLED&allowPublicKeyRetrieval=true";
        try (Connection connection = DriverManager.getConnection(url, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT DATABASE()")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isNull();
        }
    }

    @Test
    void temporalParametersLoseTheirFractionBecauseTheServerAnnouncesVersion5_5_5() throws SQLException {
        try (Connection connection = fixture.mysql("");
                PreparedStatement select = connection.prepareStatement("SELECT CAST(CAST(? AS DATETIME(6)) AS CHAR)")) {
            assertThat(connection.getMetaData().getDatabaseProductVersion()).startsWith("5.5.5-10.");
            select.setObject(1, java.time.LocalDateTime.of(2024, 2, 29, 23, 59, 59, 999_999_000));
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                assertThat(rows.getString(1)).isEqualTo("2024-02-29 23:59:59.000000");
            }
        }
    }

    private static int count(Connection connection, String table) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rows.next();
            return rows.getInt(1);
        }
    }
}
