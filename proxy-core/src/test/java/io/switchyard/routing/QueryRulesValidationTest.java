package io.switchyard.routing;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.List;
import org.junit.jupiter.api.Test;

class QueryRulesValidationTest {

    private static void compile(QueryRule.Builder... rules) {
        QueryRules.compile(List.of(rules).stream().map(QueryRule.Builder::build).toList());
    }

    @Test
    void invalidMatchPatternIsRejectedNamingTheRuleAndTheRegexError() {
        assertThatThrownBy(() -> compile(QueryRule.builder(10).matchPattern("^SELECT (")))
                .isInstanceOf(RuleException.class)
                .hasMessage("rule 10: invalid match_pattern '^SELECT (': Unclosed group near index 9");
    }

    @Test
    void invalidMatchDigestIsRejected() {
        assertThatThrownBy(() -> compile(QueryRule.builder(3).matchDigest("[a-")))
                .hasMessageStartingWith("rule 3: invalid match_digest '[a-'");
    }

    @Test
    void inactiveRulesAreValidatedToo() {
        assertThatThrownBy(() -> compile(QueryRule.builder(4).active(false).matchPattern("(")))
                .hasMessageStartingWith("rule 4: invalid match_pattern");
    }

    @Test
    void duplicateRuleIdsAreRejected() {
        assertThatThrownBy(() -> compile(QueryRule.builder(5), QueryRule.builder(5)))
                .isInstanceOf(RuleException.class)
                .hasMessage("rule 5: duplicate rule_id");
    }

    @Test
    void unknownReModifiersAreRejected() {
        assertThatThrownBy(() -> compile(QueryRule.builder(6).matchPattern("x").reModifiers("CASELESS,MULTILINE")))
                .hasMessage("rule 6: unknown re_modifiers value 'MULTILINE' (known: CASELESS, GLOBAL)");
    }

    @Test
    void reModifiersAreCaseInsensitiveAndMayBeEmptyOrNull() {
        assertThatCode(() -> compile(
                QueryRule.builder(1).matchPattern("x").reModifiers(" caseless , global "),
                QueryRule.builder(2).matchPattern("x").reModifiers(null),
                QueryRule.builder(3).matchPattern("x").reModifiers(""))).doesNotThrowAnyException();
    }

    @Test
    void replacePatternWithoutMatchPatternIsRejected() {
        assertThatThrownBy(() -> compile(QueryRule.builder(7).replacePattern("x")))
                .hasMessage("rule 7: replace_pattern needs a match_pattern to replace");
    }

    @Test
    void replacePatternWithNegateIsRejected() {
        assertThatThrownBy(() -> compile(QueryRule.builder(7).matchPattern("a").negateMatchPattern(true).replacePattern("b")))
                .hasMessageStartingWith("rule 7: replace_pattern cannot be combined with negate_match_pattern");
    }

    @Test
    void replacePatternReferringToAMissingGroupIsRejected() {
        assertThatThrownBy(() -> compile(QueryRule.builder(8).matchPattern("(a)").replacePattern("\\2")))
                .hasMessage("rule 8: invalid replace_pattern '\\2': refers to group \\2 but match_pattern has 1 group(s)");
    }

    @Test
    void replacePatternWithAnUnknownEscapeIsRejected() {
        assertThatThrownBy(() -> compile(QueryRule.builder(8).matchPattern("a").replacePattern("\\n")))
                .hasMessageStartingWith("rule 8: invalid replace_pattern '\\n': invalid escape \\n");
    }

    @Test
    void negativeValuesAreRejectedNamingTheColumn() {
        assertThatThrownBy(() -> compile(QueryRule.builder(9).destinationHostgroup(-1)))
                .hasMessage("rule 9: destination_hostgroup must not be negative, got -1");
        assertThatThrownBy(() -> compile(QueryRule.builder(9).flagOut(-2)))
                .hasMessage("rule 9: flagOUT must not be negative, got -2");
        assertThatThrownBy(() -> compile(QueryRule.builder(9).timeout(-5)))
                .hasMessage("rule 9: timeout must not be negative, got -5");
        assertThatThrownBy(() -> compile(QueryRule.builder(-1)))
                .hasMessage("rule -1: rule_id must not be negative");
    }

    @Test
    void outOfRangeValuesAreRejected() {
        assertThatThrownBy(() -> compile(QueryRule.builder(11).multiplex(3)))
                .hasMessage("rule 11: multiplex must be between 0 and 2, got 3");
        assertThatThrownBy(() -> compile(QueryRule.builder(11).retries(1001)))
                .hasMessage("rule 11: retries must be between 0 and 1000, got 1001");
        assertThatThrownBy(() -> compile(QueryRule.builder(11).cacheTtl(0)))
                .hasMessage("rule 11: cache_ttl must be greater than 0, got 0");
    }

    @Test
    void clientAddrWildcardOnlyAtTheEnd() {
        assertThatThrownBy(() -> compile(QueryRule.builder(12).clientAddr("10.%.0.1")))
                .hasMessageStartingWith("rule 12: client_addr '10.%.0.1' may use '%' only as its last character");
    }
}
