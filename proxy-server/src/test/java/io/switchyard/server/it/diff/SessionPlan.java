package io.switchyard.server.it.diff;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * One session of a seed: its driver and its script. The same seed always gives the same plans;
 * about one session in four compresses ({@link Driver#compressed()}), about one Connector/J session
 * in three uses Connector/J 5.1 ({@link Driver#withoutDeprecateEof()}), and of the other server-prepared
 * Connector/J sessions about one in two reads through cursors ({@link Driver#withCursors()}).
 *
 * <p>Immutable.
 */
public record SessionPlan(int session, Driver driver, List<Step> steps) {

    public SessionPlan {
        steps = List.copyOf(steps);
    }

    /**
     * The plans of {@code sessions} sessions of {@code statements} steps each for {@code seed},
     * leaving out the kinds of statement in {@code avoid}.
     */
    public static List<SessionPlan> forSeed(long seed, int sessions, int statements, Set<Grammar.Avoid> avoid) {
        List<SessionPlan> plans = new ArrayList<>();
        for (int session = 0; session < sessions; session++) {
            Random random = new Random(seed * 0x9E3779B97F4A7C15L + session);
            Driver driver = driverFor(random.nextInt(10));
            // Draws of their own, so the scripts of a seed stay what they were before sessions
            // used Connector/J 5.1, latin1 or compression.
            if (new Random(seed * 0x9E3779B97F4A7C15L + 7919L * (session + 1)).nextInt(3) == 0) {
                driver = driver.withoutDeprecateEof();
            } else if (new Random(seed * 0x9E3779B97F4A7C15L + 104729L * (session + 1)).nextInt(2) == 0) {
                driver = driver.withCursors();
            }
            if (new Random(seed * 0x9E3779B97F4A7C15L + 15485863L * (session + 1)).nextInt(2) == 0) {
                driver = driver.latin1();
            }
            if (new Random(seed * 0x9E3779B97F4A7C15L - session - 1).nextInt(4) == 0) {
                driver = driver.compressed();
            }
            plans.add(new SessionPlan(session, driver, Grammar.script(random, session, statements, avoid, driver.isMariaDb(),
                    !driver.isMariaDbServerPrepared())));
        }
        return plans;
    }

    private static Driver driverFor(int draw) {
        return switch (draw) {
            case 0, 1, 2 -> Driver.CONNECTOR_J;
            case 3, 4 -> Driver.CONNECTOR_J_SERVER_PREPARED;
            case 5, 6 -> Driver.CONNECTOR_J_AFFECTED_ROWS;
            case 7 -> Driver.MARIADB;
            default -> Driver.MARIADB_SERVER_PREPARED;
        };
    }

    /** The first {@code count} steps as a script to replay by hand, one numbered step a line. */
    public String replay(int count) {
        StringBuilder script = new StringBuilder("-- driver ").append(driver).append('\n');
        for (int i = 0; i < Math.min(count, steps.size()); i++) {
            script.append(String.format("/* %3d */ %s%n", i, steps.get(i).replayLine()));
        }
        return script.toString();
    }
}
