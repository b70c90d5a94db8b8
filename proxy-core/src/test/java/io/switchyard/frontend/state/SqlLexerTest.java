package io.switchyard.frontend.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlLexerTest {

    private static List<String> texts(String sql) {
        return SqlLexer.tokenize(sql).stream().map(SqlToken::text).toList();
    }

    @Test
    void commentsOfEveryStyleAreSkipped() {
        assertThat(texts("/* a */ SET -- b\n x = 1 # c\n")).containsExactly("SET", "x", "=", "1");
    }

    @Test
    void doubleDashWithoutSpaceIsNotAComment() {
        assertThat(texts("SELECT 1--1")).containsExactly("SELECT", "1", "-", "-", "1");
    }

    @Test
    void executableCommentBodiesAreRead() {
        assertThat(texts("/*!40101 SET NAMES utf8 */")).containsExactly("SET", "NAMES", "utf8");
    }

    @Test
    void stringsKeepEscapedAndDoubledQuotes() {
        assertThat(texts("SELECT 'it''s', 'a\\'b', \"q\"\"r\"")).containsExactly("SELECT", "it's", ",", "a'b", ",", "q\"r");
    }

    @Test
    void variablesAndAssignmentOperatorAreSingleTokens() {
        List<SqlToken> tokens = SqlLexer.tokenize("SET @a := @@SESSION.time_zone");
        assertThat(tokens).extracting(SqlToken::kind).containsExactly(SqlToken.Kind.WORD,
                SqlToken.Kind.USER_VARIABLE, SqlToken.Kind.SYMBOL, SqlToken.Kind.SYSTEM_VARIABLE);
        assertThat(tokens).extracting(SqlToken::text).containsExactly("SET", "a", ":=", "SESSION.time_zone");
    }

    @Test
    void backquotedIdentifierIsOneToken() {
        assertThat(SqlLexer.tokenize("`my ``odd`` table`")).singleElement()
                .satisfies(t -> assertThat(t.text()).isEqualTo("my `odd` table"))
                .satisfies(t -> assertThat(t.kind()).isEqualTo(SqlToken.Kind.QUOTED_IDENTIFIER));
    }

    @Test
    void statementsSplitOnTopLevelSemicolonsOnly() {
        assertThat(SqlLexer.splitStatements("  SET @a = 'x;y'; SELECT `a;b` /* ; */ ;; SELECT 2;"))
                .containsExactly("SET @a = 'x;y'", "SELECT `a;b` /* ; */", "SELECT 2");
    }

    @Test
    void commentOnlyTextHasNoStatements() {
        assertThat(SqlLexer.splitStatements("/* nothing */ ; -- here")).isEmpty();
    }
}
