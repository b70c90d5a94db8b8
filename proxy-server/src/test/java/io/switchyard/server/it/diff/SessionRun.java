package io.switchyard.server.it.diff;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one session's script on one connection and records each step's {@link Outcome}. A
 * connection that cannot be opened is an outcome of the first step; a step that fails leaves the
 * session running, as a client would carry on.
 *
 * <p>Not thread-safe: one run per thread.
 */
public final class SessionRun {
    private SessionRun() {}

    /** Connects to {@code port} as the application user with {@code driver} and runs {@code steps}. */
    public static List<Outcome> run(Driver driver, int port, String user, String password, List<Step> steps) {
        return run(driver, port, user, password, steps, () -> { });
    }

    /**
     * Same; {@code stalled} runs (on this thread) when a step gets no answer within the driver's
     * socket timeout, while the other side of the connection may still show why.
     */
    public static List<Outcome> run(Driver driver, int port, String user, String password, List<Step> steps, Runnable stalled) {
        List<Outcome> outcomes = new ArrayList<>();
        Map<String, PreparedStatement> prepared = new HashMap<>();
        try (Connection connection = driver.connect(port, Schema.APP_DATABASE, user, password)) {
            for (Step step : steps) {
                Outcome outcome = step.api() != Step.Api.NONE ? runApi(connection, prepared, step)
                        : step.prepared() ? runPrepared(connection, prepared, step) : runText(connection, step);
                if (outcome.timedOut()) {
                    stalled.run();
                }
                outcomes.add(outcome);
            }
        } catch (SQLException e) {
            outcomes.add(Outcome.of(e));
        } finally {
            for (PreparedStatement statement : prepared.values()) {
                try {
                    statement.close();
                } catch (SQLException e) {
                    // the connection is closed; nothing is left to release
                }
            }
        }
        return outcomes;
    }

    /**
     * A call of the connection's API; its outcome is {@link Outcome#done}, or the error. The
     * reset is called by name: Connector/J 5.1 lives in a class loader of its own.
     */
    private static Outcome runApi(Connection connection, Map<String, PreparedStatement> prepared, Step step) {
        try {
            if (step.api() == Step.Api.CATALOG) {
                connection.setCatalog(step.sql());
            } else {
                for (PreparedStatement statement : prepared.values()) {
                    statement.close();
                }
                prepared.clear();
                reset(connection);
            }
            return Outcome.done();
        } catch (SQLException e) {
            return Outcome.of(e);
        }
    }

    private static void reset(Connection connection) throws SQLException {
        for (String name : new String[] {"resetServerState", "reset"}) {
            java.lang.reflect.Method method;
            try {
                method = connection.getClass().getMethod(name);
            } catch (NoSuchMethodException e) {
                continue;
            }
            try {
                method.invoke(connection);
                return;
            } catch (java.lang.reflect.InvocationTargetException e) {
                if (e.getCause() instanceof SQLException sql) {
                    throw sql;
                }
                throw new IllegalStateException(e.getCause());
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException(connection.getClass() + " has no reset");
    }

    private static Outcome runText(Connection connection, Step step) {
        try (Statement statement = connection.createStatement()) {
            boolean keys = startsWithWord(step.sql(), "INSERT") || startsWithWord(step.sql(), "REPLACE");
            boolean resultSet = keys ? statement.execute(step.sql(), Statement.RETURN_GENERATED_KEYS)
                    : statement.execute(step.sql());
            return Outcome.read(statement, resultSet, keys);
        } catch (SQLException e) {
            return Outcome.of(e);
        }
    }

    private static Outcome runPrepared(Connection connection, Map<String, PreparedStatement> prepared, Step step) {
        try {
            PreparedStatement statement = prepared.get(step.sql());
            if (statement == null) {
                statement = connection.prepareStatement(step.sql());
                prepared.put(step.sql(), statement);
            }
            statement.clearParameters();
            for (int i = 0; i < step.parameters().size(); i++) {
                statement.setObject(i + 1, step.parameters().get(i));
            }
            return Outcome.read(statement, statement.execute());
        } catch (SQLException e) {
            return Outcome.of(e);
        }
    }

    private static boolean startsWithWord(String sql, String word) {
        return sql.regionMatches(true, 0, word, 0, word.length());
    }
}
