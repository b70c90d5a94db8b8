package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.switchyard.server.it.diff.Difference;
import io.switchyard.server.it.diff.Grammar;
import io.switchyard.server.it.diff.Noise;
import io.switchyard.server.it.diff.Outcome;
import io.switchyard.server.it.diff.ReplayScript;
import io.switchyard.server.it.diff.Schema;
import io.switchyard.server.it.diff.SessionPlan;
import io.switchyard.server.it.diff.SessionRun;
import io.switchyard.server.it.diff.Step;
import io.switchyard.server.launcher.MariaDbCluster;
import io.switchyard.server.launcher.MariaDbServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Randomized differential test of session state across multiplexing: sessions run seeded random
 * scripts of statements that change and read session state, once directly on MariaDB server A
 * and once through the proxy in front of an identical server B, whose pool of 4 connections makes
 * statements of one session run on several connections. Every statement's outcome, and at the
 * end every table, must be the same on both paths.
 *
 * <p>System properties: {@code difftest.seed} (first seed; default runs the fixed seeds 1, 2, 3),
 * {@code difftest.seeds} (how many seeds from the first), {@code difftest.minutes} (keep running
 * further seeds until this much time has passed), {@code difftest.sessions} (default 16),
 * {@code difftest.statements} (per session, default 60), {@code difftest.avoid} (kinds of statement
 * to leave out, to look past a known class of difference: see {@link Grammar.Avoid}),
 * {@code difftest.dump} (a directory for differing sessions' whole scripts and outcomes), and
 * {@code difftest.target=direct} to point the second side at server B itself, which checks that
 * the comparison is deterministic.
 * Each seed's result is printed; a difference prints the seed, session, statement index, both
 * outcomes and the session's statements so far.
 */
class DifferentialTest {
    private static final long[] DEFAULT_SEEDS = {1, 2, 3};
    private static final Duration SESSION_TIMEOUT = Duration.ofMinutes(5);
    private static final int MAX_REPORTED = 20;

    @RegisterExtension
    static final ProxyFixture proxied = ProxyFixture.perClass(0, "backend.pool.max-connections = 4");

    private static MariaDbCluster direct;
    /** Loggers quietened during the run (thousands of statements at DEBUG), with their configured levels. */
    private static final Map<String, Level> QUIET = new LinkedHashMap<>(Map.of(
            "io.switchyard.frontend", Level.INFO, "io.switchyard.backend", Level.INFO, "org.mariadb.jdbc", Level.ERROR));
    private static final Map<String, Level> savedLevels = new HashMap<>();

    @BeforeAll
    static void startDirectServer() {
        QUIET.forEach((name, level) -> {
            Logger logger = (Logger) LoggerFactory.getLogger(name);
            savedLevels.put(name, logger.getLevel());
            logger.setLevel(level);
        });
        direct = MariaDbCluster.builder().replicas(0).start();
    }

    @AfterAll
    static void stopDirectServer() {
        if (direct != null) {
            direct.close();
        }
        savedLevels.forEach((name, level) -> ((Logger) LoggerFactory.getLogger(name)).setLevel(level));
    }

    @Test
    @DisabledIfSystemProperty(named = "difftest.replay", matches = ".+")
    void sessionsSeeThroughTheProxyWhatTheySeeDirectly() throws Exception {
        int sessions = Integer.getInteger("difftest.sessions", 16);
        int statements = Integer.getInteger("difftest.statements", 60);
        double minutes = Double.parseDouble(System.getProperty("difftest.minutes", "0"));
        boolean directTarget = "direct".equals(System.getProperty("difftest.target"));
        Set<Grammar.Avoid> avoid = Grammar.Avoid.parse(System.getProperty("difftest.avoid", ""));
        String seedProperty = System.getProperty("difftest.seed");
        int seedCount = Integer.getInteger("difftest.seeds", seedProperty == null ? DEFAULT_SEEDS.length : 1);
        long firstSeed = seedProperty == null ? DEFAULT_SEEDS[0] : Long.parseLong(seedProperty.trim());
        long deadline = System.nanoTime() + (long) (minutes * 60e9);
        System.out.printf("difftest: first seed %d, %d sessions x %d statements, %s%s%n", firstSeed, sessions, statements,
                directTarget ? "second side DIRECT to server B (determinism check)" : "second side through the proxy",
                avoid.isEmpty() ? "" : ", leaving out " + avoid);

        List<String> shown = new ArrayList<>();
        int differences = 0;
        int seedsRun = 0;
        for (long seed = firstSeed; seedsRun < seedCount || (minutes > 0 && System.nanoTime() < deadline
                && seedsRun < 1_000_000); seed++, seedsRun++) {
            List<String> found = runSeed(seed, sessions, statements, directTarget, avoid);
            long eofClients = SessionPlan.forSeed(seed, sessions, statements, avoid).stream()
                    .filter(p -> !p.driver().deprecatesEof()).count();
            System.out.printf("difftest seed %d: %s (%d of %d sessions without CLIENT_DEPRECATE_EOF)%n", seed,
                    found.isEmpty() ? "same" : found.size() + " difference(s)", eofClients, sessions);
            for (String each : found) {
                System.out.println(each);
            }
            differences += found.size();
            shown.addAll(found.subList(0, Math.min(found.size(), MAX_REPORTED - shown.size())));
        }
        System.out.printf("difftest: %d seed(s) from %d, %d difference(s)%n", seedsRun, firstSeed, differences);
        assertThat(differences)
                .withFailMessage(() -> "differences between direct and proxied sessions (first " + shown.size() + " shown):\n"
                        + String.join("\n\n", shown))
                .isZero();
    }

    /** Session scripts that once differed, kept under {@code src/test/resources/difftest-regressions}. */
    private static final List<String> REGRESSIONS = List.of("warnings-after-a-text-of-several-statements.sql",
            "a-collation-set-before-a-failure-in-the-same-text.sql", "found-rows-after-show-warnings-on-a-pinned-session.sql",
            "row-count-read-by-a-statement-prepared-again-after-a-cursor.sql",
            "a-collation-set-in-a-failed-text-of-a-pinned-session.sql", "several-charset-statements-in-one-text-of-a-pinned-session.sql",
            "a-refused-copy-under-lock-tables-after-a-cursor.sql");

    /**
     * Each script of {@link #REGRESSIONS} (cut down from a randomized run that differed) replayed
     * five times, directly and through the proxy beside sessions that keep the pool busy: the same.
     */
    @Test
    @DisabledIfSystemProperty(named = "difftest.replay", matches = ".+")
    void sessionsThatOnceDifferedRunTheSame() throws Exception {
        int differing = 0;
        for (String name : REGRESSIONS) {
            try (var in = DifferentialTest.class.getResourceAsStream("/difftest-regressions/" + name)) {
                assertThat(in).as(name).isNotNull();
                System.out.printf("replaying %s%n", name);
                differing += replay(ReplayScript.parse(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)), 5);
            }
        }
        assertThat(differing).as("replay runs with differences").isZero();
    }

    /**
     * Replays the session scripts in the files named by {@code difftest.replay} (comma-separated;
     * written as a failure prints them, see {@link ReplayScript}) {@code difftest.replay.runs}
     * times each (default 5), directly and through the proxy while other sessions keep the pool
     * busy (running the statements of {@code difftest.replay.noise} in a loop if given, else short
     * sleeps), and prints every statement whose outcomes differ.
     */
    @Test
    @EnabledIfSystemProperty(named = "difftest.replay", matches = ".+")
    void replaysOneSession() throws Exception {
        int differing = 0;
        for (String file : System.getProperty("difftest.replay").split(",")) {
            System.out.printf("replaying %s%n", file);
            differing += replay(ReplayScript.parse(Files.readString(Path.of(file.strip()))),
                    Integer.getInteger("difftest.replay.runs", 5));
        }
        assertThat(differing).as("replay runs with differences").isZero();
    }

    /** Replays {@code plan} {@code runs} times; returns how many runs differed. */
    /**
     * With {@code -Ddifftest.replay.log=<directory>}, turns the server's general log on
     * ({@code on}) or off around one side of a replay run, into {@code <side>-run<run>.log} there:
     * what the server received directly and from the proxy, statement by statement.
     */
    private static void generalLog(MariaDbServer server, String side, int run, boolean on) {
        String directory = System.getProperty("difftest.replay.log", "");
        if (directory.isBlank()) {
            return;
        }
        String file = Path.of(directory, side + "-run" + run + ".log").toAbsolutePath().toString().replace("'", "''");
        server.execute(on ? new String[] {"SET GLOBAL general_log_file = '" + file + "'", "SET GLOBAL general_log = 1"}
                : new String[] {"SET GLOBAL general_log = 0"});
    }

    private static int replay(SessionPlan plan, int runs) throws IOException {
        String noiseFile = System.getProperty("difftest.replay.noise", "");
        List<String> noiseStatements = noiseFile.isBlank() ? List.of() : ReplayScript.parse(Files.readString(Path.of(noiseFile))).steps()
                .stream().map(Step::sql).toList();
        int sessions = Integer.getInteger("difftest.sessions", 16);
        int differing = 0;
        for (int run = 0; run < runs; run++) {
            Schema.reset(direct.primary(), sessions);
            Schema.reset(proxied.cluster().primary(), sessions);
            generalLog(direct.primary(), "direct", run, true);
            List<Outcome> onA = SessionRun.run(plan.driver(), direct.primary().port(), MariaDbCluster.APP_USER,
                    MariaDbCluster.APP_PASSWORD, plan.steps());
            generalLog(direct.primary(), "direct", run, false);
            List<Outcome> onB;
            generalLog(proxied.cluster().primary(), "proxied", run, true);
            try (Noise noise = Noise.start(6, proxied.port(), MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD, noiseStatements)) {
                onB = SessionRun.run(plan.driver(), proxied.port(), MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD,
                        plan.steps());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while stopping the noise sessions", e);
            } finally {
                generalLog(proxied.cluster().primary(), "proxied", run, false);
            }
            boolean same = true;
            for (int i = 0; i < Math.max(onA.size(), onB.size()); i++) {
                Outcome a = i < onA.size() ? onA.get(i) : null;
                Outcome b = i < onB.size() ? onB.get(i) : null;
                if (!Objects.equals(a, b)) {
                    same = false;
                    System.out.printf("replay run %d, statement %d: %s%n--- direct:%n%s%n--- through the proxy:%n%s%n", run, i,
                            i < plan.steps().size() ? plan.steps().get(i).replayLine() : "", a, b);
                }
            }
            differing += same ? 0 : 1;
            System.out.printf("replay run %d: %s%n", run, same ? "same" : "DIFFERENT");
        }
        return differing;
    }

    /**
     * Prints what the proxy's sessions and pools are doing, for a session whose statement got no
     * answer in time: the process list (command, time, backend connection) and each pool's
     * connections in use, idle and waited for.
     */
    private static void printProxyState(long seed, int session) {
        StringBuilder out = new StringBuilder("seed " + seed + ", session " + session + ": no answer in time; the proxy now:\n");
        for (var s : proxied.proxy().sessions().sessions()) {
            out.append("  ").append(s.processInfo()).append('\n');
        }
        for (var pool : proxied.proxy().topology().allPools()) {
            out.append("  pool ").append(pool.address()).append(": in use ").append(pool.inUse()).append(", idle ").append(pool.idle())
                    .append(", waiting ").append(pool.waiting()).append('\n');
        }
        for (var row : proxied.cluster().primary().query(
                "SELECT id, command, time, state, LEFT(info, 120) FROM information_schema.processlist WHERE command <> 'Sleep'")) {
            out.append("  server ").append(row).append('\n');
        }
        System.out.print(out);
    }

    private List<String> runSeed(long seed, int sessions, int statements, boolean directTarget, Set<Grammar.Avoid> avoid)
            throws Exception {
        MariaDbServer serverA = direct.primary();
        MariaDbServer serverB = proxied.cluster().primary();
        Schema.reset(serverA, sessions);
        Schema.reset(serverB, sessions);
        int portB = directTarget ? serverB.port() : proxied.port();
        List<SessionPlan> plans = SessionPlan.forSeed(seed, sessions, statements, avoid);
        List<Future<List<Outcome>>> onA = new ArrayList<>();
        List<Future<List<Outcome>>> onB = new ArrayList<>();
        try (ExecutorService executor = Executors.newFixedThreadPool(2 * sessions)) {
            for (SessionPlan plan : plans) {
                onA.add(executor.submit(() -> SessionRun.run(plan.driver(), serverA.port(),
                        MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD, plan.steps())));
                onB.add(executor.submit(() -> SessionRun.run(plan.driver(), portB,
                        MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD, plan.steps(),
                        directTarget ? () -> { } : () -> printProxyState(seed, plan.session()))));
            }
            List<String> found = new ArrayList<>();
            for (SessionPlan plan : plans) {
                List<Outcome> outcomesA = compared(await(onA.get(plan.session())), avoid);
                List<Outcome> outcomesB = compared(await(onB.get(plan.session())), avoid);
                // A session that could not connect directly has one outcome, the failure: compared
                // with the same failure through the proxy, it would prove nothing.
                if (outcomesA.size() < plan.steps().size()) {
                    found.add("seed " + seed + ", session " + plan.session() + " (" + plan.driver() + ") ran " + outcomesA.size()
                            + " of " + plan.steps().size() + " statements directly; its last outcome:\n"
                            + (outcomesA.isEmpty() ? "(none)" : outcomesA.getLast()));
                    continue;
                }
                Difference difference = Difference.first(seed, plan, outcomesA, outcomesB);
                if (difference != null) {
                    found.add(difference.report());
                    dump(seed, plan, outcomesA, outcomesB);
                }
            }
            found.addAll(tableDifferences(seed, Schema.contents(serverA, sessions), Schema.contents(serverB, sessions)));
            return found;
        }
    }

    /**
     * With {@code difftest.dump} naming a directory, writes a differing session's whole script
     * ({@code seed-S-session-N.sql}, replayable with {@code difftest.replay}) and both sides'
     * numbered outcomes beside it.
     */
    private static void dump(long seed, SessionPlan plan, List<Outcome> a, List<Outcome> b) throws IOException {
        String dir = System.getProperty("difftest.dump");
        if (dir == null || dir.isBlank()) {
            return;
        }
        Path base = Files.createDirectories(Path.of(dir));
        String name = "seed-" + seed + "-session-" + plan.session();
        Files.writeString(base.resolve(name + ".sql"), plan.replay(plan.steps().size()));
        Files.writeString(base.resolve(name + "-direct.txt"), numbered(a));
        Files.writeString(base.resolve(name + "-proxied.txt"), numbered(b));
    }

    /** The outcomes as compared: without warnings when warnings are left out. */
    private static List<Outcome> compared(List<Outcome> outcomes, Set<Grammar.Avoid> avoid) {
        return avoid.contains(Grammar.Avoid.WARNINGS) ? outcomes.stream().map(Outcome::withoutWarnings).toList() : outcomes;
    }

    private static String numbered(List<Outcome> outcomes) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < outcomes.size(); i++) {
            text.append("/* ").append(i).append(" */\n").append(outcomes.get(i)).append('\n');
        }
        return text.toString();
    }

    private static List<Outcome> await(Future<List<Outcome>> run) throws InterruptedException {
        try {
            return run.get(SESSION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("a session run failed", e.getCause());
        } catch (TimeoutException e) {
            run.cancel(true);
            throw new AssertionError("a session did not finish within " + SESSION_TIMEOUT, e);
        }
    }

    private static List<String> tableDifferences(long seed, Map<String, List<String>> a, Map<String, List<String>> b) {
        List<String> found = new ArrayList<>();
        for (Map.Entry<String, List<String>> table : a.entrySet()) {
            List<String> other = b.get(table.getKey());
            if (!Objects.equals(table.getValue(), other)) {
                found.add("seed " + seed + ", table " + table.getKey() + " at the end:\n--- direct:\n    "
                        + String.join("\n    ", table.getValue()) + "\n--- through the proxy:\n    "
                        + (other == null ? "(missing)" : String.join("\n    ", other)));
            }
        }
        return found;
    }
}
