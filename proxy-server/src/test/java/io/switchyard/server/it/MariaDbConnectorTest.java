package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MariaDB Connector/J 3 through the proxy. This driver pipelines: it sends several commands
 * (prepare and execute, every statement of a batch) before reading the first answer, and it
 * uses MariaDB's own {@code COM_STMT_BULK_EXECUTE}.
 */
@Timeout(60)
class MariaDbConnectorTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, "");




    @Test
    void plainQueriesReturnRowsAndUpdateCounts() throws SQLException {
        try (Connection connection = fixture.mariadb("");
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE OR REPLACE TABLE md_basic (id INT PRIMARY KEY, v VARCHAR(10))");
            assertThat(statement.executeUpdate("INSERT INTO md_basic VALUES (1, 'a'), (2, 'b'), (3, NULL)")).isEqualTo(3);
            assertThat(statement.executeUpdate("UPDATE md_basic SET v = 'z' WHERE id >= 2")).isEqualTo(2);
            List<String> rows = new ArrayList<>();
            try (ResultSet result = statement.executeQuery("SELECT id, v FROM md_basic ORDER BY id")) {
                while (result.next()) {
                    rows.add(result.getInt(1) + "=" + result.getString(2));
                }
            }
            assertThat(rows).containsExactly("1=a", "2=z", "3=z");
            try (ResultSet result = statement.executeQuery("SELECT DATABASE(), CURRENT_USER()")) {
                result.next();
                assertThat(result.getString(1)).isEqualTo("app");
                assertThat(result.getString(2)).startsWith("app@");
            }
        }
    }

    /**
     * The driver pipelines COM_STMT_PREPARE with a COM_STMT_EXECUTE for statement id
     * 0xFFFFFFFF, MariaDB's "the statement just prepared". When the prepare fails, the execute
     * fails too (1243), and the driver reports the prepare's error.
     */
    @Test
    void serverPreparedStatementsAreExecutedRepeatedly() throws SQLException {
        try (Connection connection = fixture.mariadb("useServerPrepStmts=true");
                PreparedStatement select = connection.prepareStatement("SELECT ? + seq FROM seq_1_to_3")) {
            for (int round = 0; round < 20; round++) {
                select.setInt(1, round * 10);
                List<Integer> values = new ArrayList<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        values.add(rows.getInt(1));
                    }
                }
                assertThat(values).containsExactly(round * 10 + 1, round * 10 + 2, round * 10 + 3);
            }
            try (PreparedStatement bad = connection.prepareStatement("SELECT * FROM md_no_such_table WHERE id = ?")) {
                bad.setInt(1, 1);
                assertThatThrownBy(bad::executeQuery).isInstanceOf(SQLException.class)
                        .satisfies(e -> assertThat(((SQLException) e).getErrorCode()).isEqualTo(1146));
            }
            select.setInt(1, 0);
            try (ResultSet rows = select.executeQuery()) {
                assertThat(rows.next()).isTrue();
            }
        }
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"", "useBulkStmts=true", "useBulkStmts=false", "useServerPrepStmts=true&useBulkStmts=false"})
    void batchInsertsEveryRow(String params) throws SQLException {
        String table = "md_batch_" + Math.abs(params.hashCode());
        try (Connection connection = fixture.mariadb(params);
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE OR REPLACE TABLE " + table + " (id INT PRIMARY KEY, v VARCHAR(20))");
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + table + " VALUES (?, ?)")) {
                for (int id = 1; id <= 1000; id++) {
                    insert.setInt(1, id);
                    insert.setString(2, "v" + id);
                    insert.addBatch();
                }
                int[] counts = insert.executeBatch();
                assertThat(counts).hasSize(1000);
            }
            try (ResultSet rows = statement.executeQuery("SELECT COUNT(*), SUM(id), MAX(v) FROM " + table)) {
                rows.next();
                assertThat(rows.getInt(1)).isEqualTo(1000);
                assertThat(rows.getLong(2)).isEqualTo(500_500L);
                assertThat(rows.getString(3)).isEqualTo("v999");
            }
        }
    }

    @Test
    void pipelinedStatementsAnswerInOrderEvenAroundAnError() throws SQLException {
        try (Connection connection = fixture.mariadb("");
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE OR REPLACE TABLE md_pipeline (id INT PRIMARY KEY)");
            statement.addBatch("INSERT INTO md_pipeline VALUES (1)");
            statement.addBatch("INSERT INTO md_pipeline VALUES (2), (3)");
            statement.addBatch("INSERT INTO md_pipeline VALUES (1)");
            statement.addBatch("INSERT INTO md_pipeline VALUES (4)");
            assertThatThrownBy(statement::executeBatch).isInstanceOf(BatchUpdateException.class)
                    .satisfies(e -> assertThat(((BatchUpdateException) e).getErrorCode()).isEqualTo(1062));
            List<Integer> ids = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery("SELECT id FROM md_pipeline ORDER BY id")) {
                while (rows.next()) {
                    ids.add(rows.getInt(1));
                }
            }
            assertThat(ids).startsWith(1, 2, 3).isSubsetOf(1, 2, 3, 4);
            for (int i = 0; i < 50; i++) {
                statement.addBatch("UPDATE md_pipeline SET id = id WHERE id = " + (i % 4));
            }
            assertThat(statement.executeBatch()).hasSize(50);
        }
    }

    @Test
    void loadDataLocalInfileSendsTheClientFile(@TempDir Path dir) throws SQLException, IOException {
        Path file = dir.resolve("rows.tsv");
        StringBuilder content = new StringBuilder();
        for (int id = 1; id <= 500; id++) {
            content.append(id).append('\t').append("name ").append(id).append(" \u00e9\uD83D\uDE00\n");
        }
        Files.writeString(file, content, StandardCharsets.UTF_8);
        try (Connection connection = fixture.mariadb("allowLocalInfile=true");
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE OR REPLACE TABLE md_infile (id INT PRIMARY KEY, name VARCHAR(40)) CHARACTER SET utf8mb4");
            int loaded = statement.executeUpdate("LOAD DATA LOCAL INFILE '" + file.toAbsolutePath()
                    + "' INTO TABLE md_infile CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' (id, name)");
            assertThat(loaded).isEqualTo(500);
            try (ResultSet rows = statement.executeQuery("SELECT COUNT(*), MAX(id), "
                    + "(SELECT name FROM md_infile WHERE id = 7) FROM md_infile")) {
                rows.next();
                assertThat(rows.getInt(1)).isEqualTo(500);
                assertThat(rows.getInt(2)).isEqualTo(500);
                assertThat(rows.getString(3)).isEqualTo("name 7 \u00e9\uD83D\uDE00");
            }
        }
    }

    @Test
    void multiStatementQueryReturnsSeveralResultSets() throws SQLException {
        try (Connection connection = fixture.mariadb("allowMultiQueries=true");
                Statement statement = connection.createStatement()) {
            assertThat(statement.execute("SELECT 1; DO 0; SELECT 'b', 2 UNION ALL SELECT 'c', 3; SELECT NULL")).isTrue();
            List<String> results = new ArrayList<>();
            boolean isResultSet = true;
            while (true) {
                if (isResultSet) {
                    StringBuilder text = new StringBuilder("rows:");
                    try (ResultSet rows = statement.getResultSet()) {
                        int columns = rows.getMetaData().getColumnCount();
                        while (rows.next()) {
                            for (int i = 1; i <= columns; i++) {
                                text.append(' ').append(rows.getString(i));
                            }
                        }
                    }
                    results.add(text.toString());
                } else if (statement.getUpdateCount() == -1) {
                    break;
                } else {
                    results.add("count: " + statement.getUpdateCount());
                }
                isResultSet = statement.getMoreResults();
            }
            assertThat(results).containsExactly("rows: 1", "count: 0", "rows: b 2 c 3", "rows: null");
            statement.execute("CREATE OR REPLACE PROCEDURE md_two() BEGIN SELECT 'first'; SELECT 'second'; END");
            assertThat(statement.execute("CALL md_two()")).isTrue();
            try (ResultSet rows = statement.getResultSet()) {
                rows.next();
                assertThat(rows.getString(1)).isEqualTo("first");
            }
            assertThat(statement.getMoreResults()).isTrue();
            try (ResultSet rows = statement.getResultSet()) {
                rows.next();
                assertThat(rows.getString(1)).isEqualTo("second");
            }
            assertThat(statement.getMoreResults()).isFalse();
            assertThat(statement.getUpdateCount()).isZero();
            assertThat(statement.getMoreResults()).isFalse();
            assertThat(statement.getUpdateCount()).isEqualTo(-1);
        }
    }
}
