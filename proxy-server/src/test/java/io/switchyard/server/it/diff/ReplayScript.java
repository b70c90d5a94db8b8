package io.switchyard.server.it.diff;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a session script back from the text {@link SessionPlan#replay} prints (or one written by
 * hand): one statement a line, an optional {@code /* n *&#47;} prefix and a trailing {@code ;};
 * {@code -- driver NAME} chooses the driver (default {@link Driver#CONNECTOR_J});
 * {@code -- JDBC prepared: SQL  with [p, 'q']} is a prepared step, {@code -- JDBC catalog: db}
 * and {@code -- JDBC reset} calls of the connection's API; other {@code --} lines and
 * blank lines are ignored.
 */
public final class ReplayScript {
    private static final Pattern NUMBER = Pattern.compile("^/\\*\\s*\\d+\\s*\\*/\\s*");
    private static final Pattern PREPARED = Pattern.compile("^-- JDBC prepared: (.*?)  with \\[(.*)]$");
    private static final Pattern API = Pattern.compile("^-- JDBC (catalog|reset)(?:: (.*))?$");
    private static final Pattern DRIVER = Pattern.compile("^-- driver ([A-Z0-9_]+).*");

    private ReplayScript() {}

    public static SessionPlan parse(String text) {
        Driver driver = Driver.CONNECTOR_J;
        List<Step> steps = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String line = NUMBER.matcher(raw.strip()).replaceFirst("");
            Matcher driverLine = DRIVER.matcher(line);
            Matcher prepared = PREPARED.matcher(line);
            Matcher api = API.matcher(line);
            if (api.matches()) {
                steps.add(Step.api(Step.Api.valueOf(api.group(1).toUpperCase(java.util.Locale.ROOT)),
                        api.group(2) == null ? "" : api.group(2)));
            } else if (driverLine.matches()) {
                driver = Driver.valueOf(driverLine.group(1));
            } else if (prepared.matches()) {
                steps.add(new Step(prepared.group(1), true, parameters(prepared.group(2)), Step.Api.NONE));
            } else if (!line.isEmpty() && !line.startsWith("--")) {
                steps.add(Step.text(line.endsWith(";") ? line.substring(0, line.length() - 1) : line));
            }
        }
        return new SessionPlan(0, driver, steps);
    }

    private static List<Object> parameters(String list) {
        List<Object> parameters = new ArrayList<>();
        for (String each : list.split(", ")) {
            if (each.isEmpty()) {
                continue;
            }
            parameters.add(each.startsWith("'") ? each.substring(1, each.length() - 1) : (Object) Integer.valueOf(each));
        }
        return parameters;
    }
}
