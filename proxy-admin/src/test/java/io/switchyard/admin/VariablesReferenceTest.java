package io.switchyard.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.runtime.GlobalVariables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's variables reference lists exactly the variables the proxy defines, with their defaults and ranges. */
class VariablesReferenceTest {
    private static final String HEADING = "### Variables reference";

    static List<String> expectedRows() {
        List<String> rows = new ArrayList<>();
        rows.add("| variable | type | default | range | meaning |");
        rows.add("|---|---|---|---|---|");
        for (GlobalVariables.Definition d : GlobalVariables.definitions()) {
            String range = d.type() == GlobalVariables.Type.INT ? d.min() + " – " + d.max()
                    : d.type() == GlobalVariables.Type.BOOL ? "true, false"
                    : d.type() == GlobalVariables.Type.CHOICE ? String.join(", ", d.choices()) : "text";
            rows.add("| `" + d.name() + "` | " + d.type().name().toLowerCase(java.util.Locale.ROOT) + " | `" + d.defaultValue()
                    + "` | " + range + " | " + d.description() + " |");
        }
        return rows;
    }

    @Test
    void readmeVariableTableMatchesTheDefinitions() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("..", "README.md"));
        int start = lines.indexOf(HEADING);
        assertThat(start).as("README.md has a '" + HEADING + "' section").isNotNegative();
        List<String> table = new ArrayList<>();
        for (int i = start + 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("|")) {
                table.add(line);
            } else if (!table.isEmpty()) {
                break;
            }
        }
        assertThat(String.join("\n", table)).as("the table under '" + HEADING + "' in README.md; it should read")
                .isEqualTo(String.join("\n", expectedRows()));
    }
}
