package io.switchyard.frontend.state;

import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Reads {@code [schema.]table} names from a token list and normalises them to lower-case
 * {@code schema.table} (or just {@code table} with no schema), so that a
 * {@code DROP TEMPORARY TABLE} finds the name its {@code CREATE} recorded.
 *
 * <p>Stateless and thread-safe.
 */
final class TableNames {

    private TableNames() {
    }

    /** Reads one name at {@code i}; returns the index after it. */
    static int read(List<SqlToken> tokens, int i, String schema, Consumer<String> sink) {
        if (i >= tokens.size()) {
            return i;
        }
        String first = tokens.get(i).text();
        if (i + 2 < tokens.size() && tokens.get(i + 1).isSymbol(".")) {
            sink.accept(normalise(first, tokens.get(i + 2).text()));
            return i + 3;
        }
        sink.accept(normalise(schema, first));
        return i + 1;
    }

    /** Reads a comma-separated list of names starting at {@code i}. */
    static void readList(List<SqlToken> tokens, int i, String schema, Consumer<String> sink) {
        int next = read(tokens, i, schema, sink);
        while (next < tokens.size() && tokens.get(next).isSymbol(",")) {
            next = read(tokens, next + 1, schema, sink);
        }
    }

    private static String normalise(String schema, String table) {
        String name = schema == null ? table : schema + "." + table;
        return name.toLowerCase(Locale.ROOT);
    }
}
