package io.switchyard.stats;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StatementKindTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            SELECT 1                                           | SELECT
            select c from t where id = 1                       | SELECT
            /* a comment */ SeLeCt 1                           | SELECT
            -- a line comment\\n select 1                      | SELECT
            (SELECT 1) UNION (SELECT 2)                        | SELECT
            WITH r AS (SELECT 1) SELECT * FROM r               | SELECT
            SELECT c FROM t WHERE id = 1 FOR UPDATE            | SELECT_FOR_UPDATE
            select c from t where id = 1 for update            | SELECT_FOR_UPDATE
            select c from t where id = 1 For Update skip locked | SELECT_FOR_UPDATE
            SELECT 'for' FROM t FOR  UPDATE                    | SELECT
            SELECT 'x' FOR                                     | SELECT
            insert into t values (1)                           | INSERT
            Update t set a = 1                                 | UPDATE
            ROLLBACK                                           | ROLLBACK
            rollback to savepoint s                            | SAVEPOINT
            start transaction read only                        | START_TRANSACTION
            start slave                                        | UNKNOWN
            show table status                                  | SHOW_TABLE_STATUS
            show tables                                        | SHOW
            create temporary table t (a int)                   | CREATE_TEMPORARY
            drop temporary table t                             | DROP_TABLE
            reset replica                                      | RESET_SLAVE
            use app                                            | USE
            123                                                | UNKNOWN
            ""                                                 | UNKNOWN
            """)
    void readsTheFirstWordsInAnyCase(String sql, StatementKind expected) {
        assertThat(StatementKind.of(sql.replace("\\n", "\n"))).isEqualTo(expected);
    }
}
