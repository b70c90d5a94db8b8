package io.switchyard.routing;

/**
 * A query rule set that cannot be compiled. The message names the offending rule and column,
 * e.g. {@code rule 10: invalid match_pattern '^SELECT (': Unclosed group near index 9}, so an
 * operator can fix the row in {@code mysql_query_rules} and load the rules again.
 */
public final class RuleException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int ruleId;

    RuleException(int ruleId, String message) {
        super("rule " + ruleId + ": " + message);
        this.ruleId = ruleId;
    }

    /** The rule_id of the rule that failed validation. */
    public int ruleId() {
        return ruleId;
    }
}
