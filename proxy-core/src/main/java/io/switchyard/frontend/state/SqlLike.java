package io.switchyard.frontend.state;

import java.util.regex.Pattern;

/** MySQL's {@code LIKE} patterns ({@code %}, {@code _}, backslash escapes), matched as MySQL does for names: without case. */
public final class SqlLike {

    private SqlLike() {
    }

    /** {@code like} as a regular expression that matches whole strings, case-insensitively. */
    public static String regex(String like) {
        StringBuilder re = new StringBuilder("(?is)");
        for (int i = 0; i < like.length(); i++) {
            char c = like.charAt(i);
            if (c == '\\' && i + 1 < like.length()) {
                re.append(Pattern.quote(String.valueOf(like.charAt(++i))));
            } else if (c == '%') {
                re.append(".*");
            } else if (c == '_') {
                re.append('.');
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return re.toString();
    }
}
