package io.switchyard.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How the admin reads statements: splitting, verbs with ProxySQL's spellings, the write guard, session variables. */
class AdminSqlTest {
    private static final SessionView SESSION = new SessionView(7, "admin", "127.0.0.1", "main");

    @Test
    void statementsSplitAtSemicolonsOutsideQuotesAndComments() {
        assertThat(SqlText.statements("SELECT ';'; /* ; */ SELECT 2 -- ;\n; ;"))
                .containsExactly("SELECT ';'", "/* ; */ SELECT 2 -- ;");
    }

    @Test
    void everyVerbSpellingMapsToItsMove() {
        assertThat(LayerVerb.parse("load mysql servers to runtime").move()).isEqualTo(LayerVerb.Move.MEMORY_TO_RUNTIME);
        assertThat(LayerVerb.parse("LOAD MYSQL SERVERS FROM MEMORY").move()).isEqualTo(LayerVerb.Move.MEMORY_TO_RUNTIME);
        assertThat(LayerVerb.parse("LOAD MYSQL QUERY  RULES TO RUN").part()).isEqualTo(ConfigPart.QUERY_RULES);
        assertThat(LayerVerb.parse("SAVE MYSQL USERS TO MEM").move()).isEqualTo(LayerVerb.Move.RUNTIME_TO_MEMORY);
        assertThat(LayerVerb.parse("SAVE MYSQL USERS FROM RUNTIME").move()).isEqualTo(LayerVerb.Move.RUNTIME_TO_MEMORY);
        assertThat(LayerVerb.parse("SAVE MYSQL VARIABLES TO DISK").move()).isEqualTo(LayerVerb.Move.MEMORY_TO_DISK);
        assertThat(LayerVerb.parse("SAVE MYSQL VARIABLES FROM MEMORY").move()).isEqualTo(LayerVerb.Move.MEMORY_TO_DISK);
        assertThat(LayerVerb.parse("LOAD MYSQL SERVERS FROM DISK").move()).isEqualTo(LayerVerb.Move.DISK_TO_MEMORY);
        assertThat(LayerVerb.parse("LOAD MYSQL SERVERS TO MEMORY").move()).isEqualTo(LayerVerb.Move.DISK_TO_MEMORY);
        assertThat(LayerVerb.parse("LOAD MYSQL SERVERS FROM CONFIG;").move()).isEqualTo(LayerVerb.Move.CONFIG_TO_MEMORY);
        assertThat(LayerVerb.parse("LOAD MYSQL DIGESTS TO RUNTIME")).isNull();
        assertThatThrownBy(() -> LayerVerb.parse("SAVE MYSQL SERVERS TO CONFIG"))
                .isInstanceOfSatisfying(AdminException.class, e -> assertThat(e.error().code()).isEqualTo(1064));
    }

    @Test
    void onlyConfigurationTablesMayBeWritten() {
        assertThat(TableGuard.check(SqlText.tokens("INSERT OR REPLACE INTO disk.mysql_servers VALUES (1)"))).isEqualTo(TableGuard.Kind.WRITE);
        assertThat(TableGuard.check(SqlText.tokens("UPDATE `global_variables` SET variable_value = 1"))).isEqualTo(TableGuard.Kind.WRITE);
        assertThat(TableGuard.check(SqlText.tokens("WITH x AS (SELECT 1) SELECT * FROM runtime_mysql_servers"))).isEqualTo(TableGuard.Kind.READ);
        for (String sql : List.of("DELETE FROM runtime_mysql_users", "WITH x AS (SELECT 1) DELETE FROM stats.stats_mysql_global",
                "REPLACE INTO monitor.mysql_server_ping_log VALUES (1)", "UPDATE main.runtime_mysql_servers SET weight = 1")) {
            assertThatThrownBy(() -> TableGuard.check(SqlText.tokens(sql))).as(sql)
                    .isInstanceOfSatisfying(AdminException.class, e -> assertThat(e.error().code()).isEqualTo(1036));
        }
        assertThatThrownBy(() -> TableGuard.check(SqlText.tokens("INSERT INTO sqlite_master VALUES (1)")))
                .isInstanceOfSatisfying(AdminException.class, e -> assertThat(e.error().code()).isEqualTo(1146));
    }

    @Test
    void sessionVariablesBecomeLiteralsNamedAsMysqlNamesThem() {
        assertThat(SessionVariables.rewrite("SELECT @@version_comment LIMIT 1", SESSION))
                .isEqualTo("SELECT 'Switchyard admin' AS \"@@version_comment\" LIMIT 1");
        assertThat(SessionVariables.rewrite("SELECT @@session.auto_increment_increment AS auto_increment_increment, DATABASE()", SESSION))
                .isEqualTo("SELECT '1' AS auto_increment_increment, 'main' AS \"DATABASE()\"");
        assertThat(SessionVariables.rewrite("SELECT '@@x' FROM t WHERE a = CONNECTION_ID()", SESSION))
                .isEqualTo("SELECT '@@x' FROM t WHERE a = 7");
        assertThatThrownBy(() -> SessionVariables.rewrite("SELECT @@nonsense", SESSION))
                .isInstanceOfSatisfying(AdminException.class, e -> assertThat(e.error().code()).isEqualTo(1193));
    }

    @Test
    void likePatternsMatchAsInMysql() {
        assertThat("mysql-monitor_ping_interval").matches(io.switchyard.frontend.state.SqlLike.regex("mysql-monitor%"));
        assertThat("mysqlXmonitor").doesNotMatch(io.switchyard.frontend.state.SqlLike.regex("mysql\\_monitor"));
        assertThat("stats_mysql_global").matches(io.switchyard.frontend.state.SqlLike.regex("STATS_%"));
    }
}
