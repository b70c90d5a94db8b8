package io.switchyard.backend;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SqlLiteralTest {

    @Test
    void numbersAreBareBecauseNumericVariablesRefuseStrings() {
        assertThat(SqlLiteral.of("1000000")).isEqualTo("1000000");
        assertThat(SqlLiteral.of("-5")).isEqualTo("-5");
        assertThat(SqlLiteral.of("10.000000")).isEqualTo("10.000000");
    }

    @Test
    void textIsQuotedAndNullIsNull() {
        assertThat(SqlLiteral.of("STRICT_TRANS_TABLES,ANSI")).isEqualTo("'STRICT_TRANS_TABLES,ANSI'");
        assertThat(SqlLiteral.of("")).isEqualTo("''");
        assertThat(SqlLiteral.of("+01:00")).isEqualTo("'+01:00'");
        assertThat(SqlLiteral.of(null)).isEqualTo("NULL");
    }

    @Test
    void quotesBackslashesAndNonAsciiBecomeHexSoNoSqlModeChangesTheirMeaning() {
        assertThat(SqlLiteral.of("it's")).isEqualTo("X'69742773'");
        assertThat(SqlLiteral.of("a\\b")).isEqualTo("X'615c62'");
        assertThat(SqlLiteral.of("ñ")).isEqualTo("X'c3b1'");
    }
}
