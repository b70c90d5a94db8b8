package io.switchyard.frontend.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class QuoteRulesTest {
    private static final QuoteRules NO_BACKSLASH_ESCAPES = QuoteRules.of("STRICT_TRANS_TABLES,NO_BACKSLASH_ESCAPES");
    private static final QuoteRules ANSI_QUOTES = QuoteRules.of("'ANSI_QUOTES'");

    private static List<String> tokens(QuoteRules rules, String sql) {
        return SqlLexer.tokenize(rules.standardText(sql)).stream().map(t -> t.kind() + ":" + t.text()).toList();
    }

    @Test
    void sqlModesNameTheirRules() {
        assertThat(QuoteRules.of("STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO")).isSameAs(QuoteRules.DEFAULT);
        assertThat(QuoteRules.of(null)).isSameAs(QuoteRules.DEFAULT);
        assertThat(QuoteRules.of("DEFAULT")).isSameAs(QuoteRules.DEFAULT);
        assertThat(QuoteRules.of("PIPES_AS_CONCAT,ANSI_QUOTES,IGNORE_SPACE,ORACLE")).isEqualTo(new QuoteRules(false, true, false));
        assertThat(NO_BACKSLASH_ESCAPES).isEqualTo(new QuoteRules(true, false, false));
        assertThat(QuoteRules.of("ANSI_QUOTES,NO_BACKSLASH_ESCAPES")).isEqualTo(new QuoteRules(true, true, false));
        assertThat(QuoteRules.of("PIPES_AS_CONCAT,ANSI_QUOTES,IGNORE_SPACE,MSSQL,NO_KEY_OPTIONS")).isEqualTo(new QuoteRules(false, true, true));
    }

    @Test
    void withoutBackslashEscapesABackslashEndsNoString() {
        assertThat(tokens(QuoteRules.DEFAULT, "SELECT 'C:\\', @v := 1")).containsExactly("WORD:SELECT", "STRING:C:', @v := 1");
        assertThat(tokens(NO_BACKSLASH_ESCAPES, "SELECT 'C:\\', @v := 1"))
                .containsExactly("WORD:SELECT", "STRING:C:\\", "SYMBOL:,", "USER_VARIABLE:v", "SYMBOL::=", "NUMBER:1");
        assertThat(tokens(NO_BACKSLASH_ESCAPES, "SELECT \"a\\\\b\\\", 'it''s', GET_LOCK('x', 0)"))
                .containsExactly("WORD:SELECT", "STRING:a\\\\b\\", "SYMBOL:,", "STRING:it's", "SYMBOL:,", "WORD:GET_LOCK",
                        "SYMBOL:(", "STRING:x", "SYMBOL:,", "NUMBER:0", "SYMBOL:)");
    }

    @Test
    void underAnsiQuotesADoubleQuotedNameIsAnIdentifierWithoutEscapes() {
        assertThat(tokens(ANSI_QUOTES, "SELECT 1 AS \"b\\\", @w := 7, 'x\\'y'"))
                .containsExactly("WORD:SELECT", "NUMBER:1", "WORD:AS", "QUOTED_IDENTIFIER:b\\", "SYMBOL:,", "USER_VARIABLE:w",
                        "SYMBOL::=", "NUMBER:7", "SYMBOL:,", "STRING:x'y");
        assertThat(tokens(ANSI_QUOTES, "SELECT \"a\"\"b`c\" FROM t"))
                .containsExactly("WORD:SELECT", "QUOTED_IDENTIFIER:a\"b`c", "WORD:FROM", "WORD:t");
    }

    @Test
    void underMssqlABracketedNameIsAnIdentifier() {
        QuoteRules mssql = QuoteRules.of("PIPES_AS_CONCAT,ANSI_QUOTES,IGNORE_SPACE,MSSQL");
        assertThat(tokens(mssql, "SELECT 1 AS [b'c], @v := 1, [d]]e`f]"))
                .containsExactly("WORD:SELECT", "NUMBER:1", "WORD:AS", "QUOTED_IDENTIFIER:b'c", "SYMBOL:,", "USER_VARIABLE:v",
                        "SYMBOL::=", "NUMBER:1", "SYMBOL:,", "QUOTED_IDENTIFIER:d]e`f");
        assertThat(tokens(mssql, "SELECT '[x'")).containsExactly("WORD:SELECT", "STRING:[x");
    }

    @Test
    void commentsAndBacktickedNamesAreLeftAsTheyAre() {
        String sql = "SELECT /* it's */ `a\\` -- don't\n, 1 # \"\n";
        assertThat(NO_BACKSLASH_ESCAPES.standardText(sql)).isEqualTo(sql);
        assertThat(new QuoteRules(true, true, true).standardText(sql)).isEqualTo(sql);
        assertThat(tokens(NO_BACKSLASH_ESCAPES, "/*!40101 SELECT 'a\\' */, @v"))
                .containsExactly("WORD:SELECT", "STRING:a\\", "SYMBOL:,", "USER_VARIABLE:v");
    }

    @Test
    void aTextNothingInWhichReadsDifferentlyIsReturnedItself() {
        String plain = "SELECT 'a', \"b\" FROM t WHERE c = 'd\\'e'";
        assertThat(QuoteRules.DEFAULT.standardText(plain)).isSameAs(plain);
        String noBackslash = "SELECT \"b\" FROM t";
        assertThat(NO_BACKSLASH_ESCAPES.standardText(noBackslash)).isSameAs(noBackslash);
        String noDoubleQuote = "SELECT 'x\\'y' FROM t";
        assertThat(ANSI_QUOTES.standardText(noDoubleQuote)).isSameAs(noDoubleQuote);
    }

    @Test
    void anUnendedQuoteRunsToTheEnd() {
        assertThat(tokens(NO_BACKSLASH_ESCAPES, "SELECT 'a\\")).containsExactly("WORD:SELECT", "STRING:a\\");
        assertThat(tokens(ANSI_QUOTES, "SELECT \"a")).containsExactly("WORD:SELECT", "QUOTED_IDENTIFIER:a");
    }

    /**
     * Only where the text has what another mode or character set reads otherwise: a backslash,
     * {@code "} or {@code [} after a change of {@code sql_mode}, a character outside ASCII after
     * one of the client's character set.
     */
    @Test
    void aTextOfSeveralStatementsThatChangesHowItIsReadPins() {
        for (String change : new String[] {"SET sql_mode = 'NO_BACKSLASH_ESCAPES'", "SET NAMES sjis", "SET CHARACTER SET big5",
            "SET character_set_client = gbk"}) {
            String after = change.contains("sql_mode") ? "SELECT 'C:\\', 1" : "SELECT '十', 1";
            assertThat(StatementClassifier.classify(change + "; " + after).pins()).as(change)
                    .containsExactly(PinReason.READING_CHANGED_IN_TEXT);
            assertThat(StatementClassifier.classify(change + "; SELECT 'plain', 1").pins()).as(change + ", ASCII after").isEmpty();
            assertThat(StatementClassifier.classify(change).pins()).as(change + " alone").isEmpty();
        }
        assertThat(StatementClassifier.classify("SET sql_mode = 'MSSQL'; SELECT 1 AS [a]").pins())
                .containsExactly(PinReason.READING_CHANGED_IN_TEXT);
        assertThat(StatementClassifier.classify("SET character_set_results = gbk; SELECT '十'").pins()).isEmpty();
        assertThat(StatementClassifier.classify("SELECT 1; SET NAMES sjis").pins()).as("nothing read after the change").isEmpty();
    }
}
