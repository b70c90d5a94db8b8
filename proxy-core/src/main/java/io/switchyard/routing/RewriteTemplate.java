package io.switchyard.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;

/**
 * A replace_pattern in ProxySQL's syntax (that of PCRE's and RE2's {@code Replace}):
 * {@code \0}..{@code \9} insert a captured group ({@code \0} the whole match), {@code \\} a
 * backslash; every other character is literal, including {@code $}, which Java's own
 * replacement syntax would treat as a group reference. Parsed once; immutable.
 */
final class RewriteTemplate {
    private final String[] literals;
    private final int[] groups;

    private RewriteTemplate(String[] literals, int[] groups) {
        this.literals = literals;
        this.groups = groups;
    }

    /**
     * @throws IllegalArgumentException on a backslash not followed by a digit or a backslash,
     *         or a group the pattern does not have
     */
    static RewriteTemplate parse(String rewrite, int groupCount) {
        List<String> literals = new ArrayList<>();
        List<Integer> groups = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        for (int i = 0; i < rewrite.length(); i++) {
            char c = rewrite.charAt(i);
            if (c != '\\') {
                literal.append(c);
                continue;
            }
            if (i + 1 == rewrite.length()) {
                throw new IllegalArgumentException("ends with a lone backslash (write \\\\ for one)");
            }
            char next = rewrite.charAt(++i);
            if (next == '\\') {
                literal.append('\\');
            } else if (next >= '0' && next <= '9') {
                int group = next - '0';
                if (group > groupCount) {
                    throw new IllegalArgumentException("refers to group \\" + group
                            + " but match_pattern has " + groupCount + " group(s)");
                }
                literals.add(literal.toString());
                groups.add(group);
                literal.setLength(0);
            } else {
                throw new IllegalArgumentException("invalid escape \\" + next
                        + " at index " + (i - 1) + " (use \\0..\\9 for groups, \\\\ for a backslash)");
            }
        }
        literals.add(literal.toString());
        return new RewriteTemplate(literals.toArray(String[]::new),
                groups.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Appends the replacement for the current match of {@code m}. */
    void appendTo(StringBuilder out, Matcher m) {
        for (int i = 0; i < groups.length; i++) {
            out.append(literals[i]);
            String g = m.group(groups[i]);
            if (g != null) {
                out.append(g);
            }
        }
        out.append(literals[groups.length]);
    }
}
