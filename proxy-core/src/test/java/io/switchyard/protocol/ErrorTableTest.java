package io.switchyard.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The README's error tables (the client port's under "Errors", the admin port's under "Admin
 * errors") and {@link ProxyError} agree: every code and SQLSTATE the proxy sends has a row, and
 * every row is one the proxy sends.
 */
class ErrorTableTest {
    private static final List<String> HEADINGS = List.of("## Errors", "### Admin errors");
    private static final Pattern ROW = Pattern.compile("^\\| (\\d+) \\| ([0-9A-Z]{5}) \\|");

    private static Set<String> documented;

    @BeforeAll
    static void readTables() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("..", "README.md"));
        documented = new TreeSet<>();
        for (String heading : HEADINGS) {
            List<String> rows = table(lines, heading);
            assertThat(rows).as("rows of the error table under '%s' in README.md", heading).isNotEmpty();
            documented.addAll(rows);
        }
    }

    @Test
    void everyErrorOfTheCatalogueHasARowInTheReadme() {
        Set<String> missing = Arrays.stream(ProxyError.values())
                .filter(e -> !documented.contains(key(e.code, e.sqlState)))
                .map(e -> e.name() + " " + key(e.code, e.sqlState))
                .collect(Collectors.toCollection(TreeSet::new));

        assertThat(missing).as("catalogue entries whose code and SQLSTATE no README error table lists").isEmpty();
    }

    @Test
    void everyRowOfTheReadmeIsAnErrorTheProxySends() {
        Set<String> sent = Arrays.stream(ProxyError.values()).map(e -> key(e.code, e.sqlState)).collect(Collectors.toSet());

        assertThat(documented).as("README error table rows (code SQLSTATE) that no catalogue entry sends")
                .allMatch(sent::contains, "in ProxyError");
    }

    /** The code and SQLSTATE of each row of the first table after {@code heading}. */
    private static List<String> table(List<String> lines, String heading) {
        int start = lines.indexOf(heading);
        assertThat(start).as("README.md has a '%s' section", heading).isNotNegative();
        List<String> rows = new java.util.ArrayList<>();
        boolean inTable = false;
        for (int i = start + 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("|")) {
                inTable = true;
                Matcher row = ROW.matcher(line);
                if (row.find()) {
                    rows.add(key(Integer.parseInt(row.group(1)), row.group(2)));
                }
            } else if (inTable) {
                break;
            }
        }
        return rows;
    }

    private static String key(int code, String sqlState) {
        return code + " " + sqlState;
    }
}
