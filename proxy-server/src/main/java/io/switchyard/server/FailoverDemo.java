package io.switchyard.server;

import io.switchyard.backend.ServerAddress;
import io.switchyard.server.config.ConfigLoader;
import io.switchyard.server.launcher.MariaDbCluster;
import io.switchyard.server.launcher.MariaDbServer;
import io.switchyard.topology.HostgroupServer;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code switchyard demo --failover}: a primary and two semi-synchronous replicas, the proxy in
 * front of them with a replication hostgroup pair and a read/write split, and an application
 * load through the proxy. Part way through, the primary is killed with SIGKILL and the most
 * advanced replica is promoted the way an orchestrator would; the demo prints one line per
 * second while that happens and finally checks every acknowledged write against the new primary.
 *
 * <p>{@link #run} runs on the caller's thread and always stops what it started; {@link #interrupt}
 * (for Ctrl-C) may be called from any thread.
 */
final class FailoverDemo {
    /** When the primary dies, how long the orchestrator takes to promote, and how long the load runs after that. */
    record Schedule(Duration killAfter, Duration promoteAfterKill, Duration runAfterPromotion) {
        static final Schedule DEFAULT = new Schedule(Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(10));

        Schedule {
            Objects.requireNonNull(killAfter, "killAfter");
            Objects.requireNonNull(promoteAfterKill, "promoteAfterKill");
            Objects.requireNonNull(runAfterPromotion, "runAfterPromotion");
        }
    }

    static final String OK_LINE = "failover demo: OK";

    private static final int WRITERS = 4;
    private static final int TRANSACTION_WRITERS = 2;
    private static final int READERS = 4;
    private static final int IDLE = 3;
    private static final long POLL_MILLIS = 50;
    private static final long PROMOTION_GIVE_UP_MILLIS = 15_000;

    private final Schedule schedule;
    private final PrintStream out;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Map<ServerAddress, String> names = new HashMap<>();
    private volatile long killedAtNanos;
    private volatile long promotedAtNanos;
    private volatile MariaDbServer promoted;
    private volatile String promotionFailure;

    private final boolean transactionReplay;

    /** {@code transactionReplay}: the proxy's {@code mysql-transaction_replay} (the demo's default: on). */
    FailoverDemo(Schedule schedule, PrintStream out, boolean transactionReplay) {
        this.schedule = schedule;
        this.out = out;
        this.transactionReplay = transactionReplay;
    }

    /** Runs the whole demonstration; 0 when every acknowledged write is on the new primary exactly once. */
    int run() throws Exception {
        try {
            return runStages();
        } finally {
            finished.countDown();
        }
    }

    /** Asks a running demo to stop now and waits (bounded) until it has stopped everything it started. */
    void interrupt() {
        stopRequested.countDown();
        try {
            finished.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private int runStages() throws Exception {
        out.println("starting a MariaDB primary and 2 semi-synchronous replicas ...");
        MariaDbCluster cluster = MariaDbCluster.builder().replicas(2).semiSync(true).start();
        Switchyard proxy = null;
        FailoverLoad load = null;
        Thread orchestrator = null;
        try {
            proxy = Switchyard.start(ConfigLoader.fromString(config(cluster)));
            describe(cluster, proxy);
            String url = "jdbc:mysql://127.0.0.1:" + proxy.port() + "/" + MariaDbCluster.APP_DATABASE
                    + "?sslMode=DISABLED&allowPublicKeyRetrieval=true&connectTimeout=5000&socketTimeout=15000";
            try (Connection setup = DriverManager.getConnection(url, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD);
                    Statement statement = setup.createStatement()) {
                statement.execute(FailoverLoad.CREATE_TABLE);
            }
            cluster.awaitReplicaCatchUp(Duration.ofSeconds(10));
            out.println("created table " + FailoverLoad.TABLE + " through the proxy");
            load = new FailoverLoad(url, MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD, WRITERS, TRANSACTION_WRITERS,
                    READERS, IDLE);
            out.printf(Locale.ROOT, "load: %d writers and %d readers, one connection each for the whole run;"
                    + " %d transaction writers (2 inserts and a read, then COMMIT); %d idle connections opened;"
                    + " transaction replay %s; causal reads global%n%n", WRITERS, READERS, TRANSACTION_WRITERS, IDLE,
                    transactionReplay ? "on (checksum no_insert_id)" : "off");
            long startedAt = System.nanoTime();
            load.start();
            orchestrator = Thread.ofPlatform().name("failover-orchestrator").start(() -> orchestrate(cluster, startedAt));
            watch(proxy, load, startedAt);
            if (stopRequested.getCount() == 0) {
                out.println("stopped before the end; no verdict");
                return 130;
            }
            load.stop();
            orchestrator.join();
            return summarize(load, proxy.stats().transactionsReplayed());
        } finally {
            long stopping = System.nanoTime();
            stopRequested.countDown();
            if (load != null) {
                load.close();
            }
            if (orchestrator != null) {
                orchestrator.join(10_000);
            }
            if (proxy != null) {
                proxy.shutdown(2_000);
            }
            cluster.close();
            out.printf(Locale.ROOT, "stopped the load, the proxy and the MariaDB servers in %d ms%n", millisSince(stopping));
        }
    }

    private String config(MariaDbCluster cluster) {
        MariaDbServer primary = cluster.primary();
        List<MariaDbServer> replicas = cluster.replicas();
        return """
                switchyard {
                  frontend { bind = "127.0.0.1", port = 0 }
                  metrics { bind = "127.0.0.1", port = 0 }
                  servers = [
                    { hostgroup = 0, host = "127.0.0.1", port = %d, comment = "primary" }
                    { hostgroup = 1, host = "127.0.0.1", port = %d, comment = "replica" }
                    { hostgroup = 1, host = "127.0.0.1", port = %d, comment = "replica" }
                  ]
                  replication-hostgroups = [ { writer-hostgroup = 0, reader-hostgroup = 1 } ]
                  query-rules = [
                    { rule-id = 1, match-pattern = "^SELECT .* FOR UPDATE", destination-hostgroup = 0, apply = true }
                    { rule-id = 2, match-pattern = "^SELECT", destination-hostgroup = 1, apply = true }
                  ]
                  users = [ { username = "%s", password = "%s", default-hostgroup = 0 } ]
                  variables {
                    mysql-monitor_username = "%s"
                    mysql-monitor_password = "%s"
                    mysql-monitor_writer_is_also_reader = false
                    mysql-transaction_replay = %s
                    # The load's transactions do not use the auto-increment ids their inserts get,
                    # which may differ when a transaction runs again on the new primary.
                    mysql-transaction_replay_checksum = no_insert_id
                    # Reads on the replicas see every acknowledged write (README, "Causal reads").
                    mysql-causal_reads = global
                  }
                }
                """.formatted(primary.port(), replicas.get(0).port(), replicas.get(1).port(),
                MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD, MariaDbCluster.MONITOR_USER,
                MariaDbCluster.MONITOR_PASSWORD, transactionReplay);
    }

    private void describe(MariaDbCluster cluster, Switchyard proxy) {
        for (MariaDbServer server : cluster.servers()) {
            String name = "#" + server.serverId();
            names.put(new ServerAddress(server.host(), server.port()), name);
            out.printf(Locale.ROOT, "  %s  127.0.0.1:%d  %s (pid %d)%n", name, server.port(),
                    server.source() == null ? "primary" : "replica of #" + server.source().serverId(), server.pid());
        }
        out.printf(Locale.ROOT, "  proxy  127.0.0.1:%d  writer hostgroup 0, reader hostgroup 1, SELECT to readers%n", proxy.port());
        proxy.metrics().ifPresent(m -> out.printf(Locale.ROOT, "  metrics http://127.0.0.1:%d/metrics%n", m.port()));
        out.printf(Locale.ROOT, "  connect: mariadb -h 127.0.0.1 -P %d -u %s -p%s %s%n", proxy.port(),
                MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD, MariaDbCluster.APP_DATABASE);
    }

    /** Prints a line per second and a line whenever the proxy's writer changes, until the run is over. */
    private void watch(Switchyard proxy, FailoverLoad load, long startedAt) throws InterruptedException {
        long[] previous = new long[6];
        long nextLine = startedAt + TimeUnit.SECONDS.toNanos(1);
        String writer = writer(proxy);
        while (!stopRequested.await(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
            String now = writer(proxy);
            if (!now.equals(writer)) {
                out.printf(Locale.ROOT, "%6.1fs  proxy: writer %s -> %s%s%n", seconds(startedAt), writer, now, sinceFailover());
                writer = now;
            }
            if (System.nanoTime() >= nextLine) {
                nextLine += TimeUnit.SECONDS.toNanos(1);
                long[] totals = {load.writesOk(), load.writesFailed(), load.readsOk(), load.readsFailed(),
                    load.transactionsOk(), load.transactionsLost() + load.commitsFailed()};
                out.printf(Locale.ROOT, "%6.1fs  writes %4d ok %3d failed | transactions %3d ok %2d failed | reads %4d ok %3d failed"
                                + " | writer %-4s | %s%n",
                        seconds(startedAt), totals[0] - previous[0], totals[1] - previous[1], totals[4] - previous[4],
                        totals[5] - previous[5], totals[2] - previous[2], totals[3] - previous[3], writer, statuses(proxy));
                previous = totals;
            }
            if (runIsOver()) {
                return;
            }
        }
    }

    private boolean runIsOver() {
        long now = System.nanoTime();
        if (promotedAtNanos != 0) {
            return now - promotedAtNanos >= schedule.runAfterPromotion().toNanos();
        }
        return promotionFailure != null
                || killedAtNanos != 0 && now - killedAtNanos >= TimeUnit.MILLISECONDS.toNanos(PROMOTION_GIVE_UP_MILLIS);
    }

    private String writer(Switchyard proxy) {
        String online = proxy.topology().servers(0).stream().filter(HostgroupServer::acceptsWork)
                .map(s -> name(s.address())).collect(Collectors.joining(","));
        return online.isEmpty() ? "none" : online;
    }

    private String statuses(Switchyard proxy) {
        StringBuilder line = new StringBuilder();
        for (int hostgroup : new int[] {0, 1}) {
            line.append(hostgroup == 0 ? "hg0 [" : " hg1 [");
            line.append(proxy.topology().servers(hostgroup).stream()
                    .map(s -> name(s.address()) + " " + s.effectiveState()).collect(Collectors.joining(", ")));
            line.append(']');
        }
        return line.toString();
    }

    private String name(ServerAddress address) {
        return names.getOrDefault(address, address.toString());
    }

    /** Kills the primary on schedule, then promotes the replica that received the most, as an orchestrator would. */
    private void orchestrate(MariaDbCluster cluster, long startedAt) {
        try {
            if (stopRequested.await(schedule.killAfter().toMillis(), TimeUnit.MILLISECONDS)) {
                return;
            }
            MariaDbServer old = cluster.primary();
            long pid = old.pid();
            old.kill();
            killedAtNanos = System.nanoTime();
            out.printf(Locale.ROOT, "%6.1fs  >>> killed the primary %s (pid %d) with SIGKILL%n", seconds(startedAt), name(old), pid);
            if (stopRequested.await(schedule.promoteAfterKill().toMillis(), TimeUnit.MILLISECONDS)) {
                return;
            }
            promote(cluster);
        } catch (RuntimeException e) {
            promotionFailure = e.getMessage();
            if (stopRequested.getCount() > 0) {
                out.println("orchestrator: failover failed: " + e.getMessage());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void promote(MariaDbCluster cluster) {
        List<MariaDbServer> candidates = cluster.replicas();
        Map<MariaDbServer, String> received = new HashMap<>();
        for (MariaDbServer replica : candidates) {
            Object position = replica.query("SHOW SLAVE STATUS").get(0).get("Gtid_IO_Pos");
            received.put(replica, position == null ? "" : position.toString());
        }
        step("received GTIDs: " + candidates.stream().map(r -> name(r) + " " + received.get(r))
                .collect(Collectors.joining(", ")));
        MariaDbServer best = candidates.stream()
                .max(Comparator.comparingLong((MariaDbServer r) -> gtidSequenceTotal(received.get(r)))).orElseThrow();
        String position = received.get(best);
        long waitStarted = System.nanoTime();
        String waited = best.queryString("SELECT MASTER_GTID_WAIT('" + position + "', 5)");
        step(name(best) + " is the most advanced; MASTER_GTID_WAIT('" + position + "', 5) returned " + waited
                + " after " + millisSince(waitStarted) + " ms" + ("0".equals(waited) ? "" : " (it did not apply everything!)"));
        best.promote();
        promotedAtNanos = System.nanoTime();
        promoted = best;
        step("promoted " + name(best) + ": replication stopped, read_only=0, semi-sync primary on");
        for (MariaDbServer replica : candidates) {
            if (replica != best) {
                replica.repointTo(best);
                step(name(replica) + " now replicates from " + name(best));
            }
        }
    }

    private void step(String what) {
        out.printf(Locale.ROOT, "         orchestrator +%d ms since the kill: %s%n", millisSince(killedAtNanos), what);
    }

    private String name(MariaDbServer server) {
        return "#" + server.serverId();
    }

    /** The sum of the sequence numbers of a GTID position such as {@code 0-1-1234}: the demo's cluster writes in one domain. */
    static long gtidSequenceTotal(String position) {
        long total = 0;
        for (String gtid : position.split(",")) {
            String trimmed = gtid.trim();
            if (!trimmed.isEmpty()) {
                total += Long.parseLong(trimmed.substring(trimmed.lastIndexOf('-') + 1));
            }
        }
        return total;
    }

    private int summarize(FailoverLoad load, long replayed) {
        out.println();
        out.println("summary");
        List<FailoverLoad.Write> acknowledged = load.acknowledged();
        List<FailoverLoad.Write> failed = load.failed();
        out.printf(Locale.ROOT, "  writes acknowledged: %d, failed: %d%n", acknowledged.size(), failed.size());
        load.writeErrors().forEach((error, count) -> out.printf(Locale.ROOT, "    %5d x %s%n", count, error));
        long failedAfterPromotion = failed.stream().filter(w -> promotedAtNanos != 0 && w.atNanos() > promotedAtNanos).count();
        if (failedAfterPromotion > 0) {
            out.printf(Locale.ROOT, "    %d of the failed writes failed after the promotion%n", failedAfterPromotion);
        }
        out.printf(Locale.ROOT, "  transactions committed: %d; lost (failed before COMMIT was sent): %d;"
                + " COMMIT failed (outcome unknown): %d; run again by the proxy: %d%n", load.transactionsOk(),
                load.transactionsLost(), load.commitsFailed(), replayed);
        out.printf(Locale.ROOT, "  reads ok: %d, failed: %d; stale (missed a row acknowledged before the read began): %d%n",
                load.readsOk(), load.readsFailed(), load.staleReads());
        load.readErrors().forEach((error, count) -> out.printf(Locale.ROOT, "    %5d x %s%n", count, error));
        if (promoted == null) {
            out.println("failover demo: FAILED (no replica was promoted" + (promotionFailure == null ? "" : ": " + promotionFailure) + ")");
            return 1;
        }
        long lastBeforeKill = acknowledged.stream().mapToLong(FailoverLoad.Write::atNanos).filter(t -> t <= killedAtNanos).max().orElse(0);
        long firstAfterPromotion = acknowledged.stream().mapToLong(FailoverLoad.Write::atNanos).filter(t -> t > promotedAtNanos).min().orElse(0);
        out.printf(Locale.ROOT, "  last write acknowledged before the kill: %s; first after the promotion: %s%n",
                lastBeforeKill == 0 ? "none" : (killedAtNanos - lastBeforeKill) / 1_000_000 + " ms before it",
                firstAfterPromotion == 0 ? "none" : (firstAfterPromotion - promotedAtNanos) / 1_000_000 + " ms after it");
        return verify(acknowledged, failed, load.pingIdle());
    }

    private int verify(List<FailoverLoad.Write> acknowledged, List<FailoverLoad.Write> failed, List<String> idle) {
        Map<Long, Integer> onPrimary = new HashMap<>();
        for (Map<String, Object> row : promoted.query("SELECT k FROM " + MariaDbCluster.APP_DATABASE + "." + FailoverLoad.TABLE)) {
            onPrimary.merge(((Number) row.get("k")).longValue(), 1, Integer::sum);
        }
        long found = acknowledged.stream().filter(w -> onPrimary.containsKey(w.key())).count();
        List<Long> missing = acknowledged.stream().map(FailoverLoad.Write::key).filter(k -> !onPrimary.containsKey(k)).toList();
        List<Long> twice = onPrimary.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).sorted().toList();
        Set<Long> acknowledgedKeys = new HashSet<>(acknowledged.stream().map(FailoverLoad.Write::key).toList());
        long failedButPresent = failed.stream().filter(w -> onPrimary.containsKey(w.key()) && !acknowledgedKeys.contains(w.key())).count();
        out.printf(Locale.ROOT, "  acknowledged writes on the new primary %s: %d / %d found; keys present twice: %d;"
                + " rows: %d%n", name(promoted), found, acknowledged.size(), twice.size(), onPrimary.values().stream()
                .mapToInt(Integer::intValue).sum());
        out.printf(Locale.ROOT, "  failed writes that were committed anyway: %d of %d%n", failedButPresent, failed.size());
        if (!missing.isEmpty()) {
            out.println("  missing keys: " + listed(missing));
        }
        if (!twice.isEmpty()) {
            out.println("  keys present twice: " + listed(twice));
        }
        for (int i = 0; i < idle.size(); i++) {
            out.printf(Locale.ROOT, "  idle connection %d (opened before the failover): %s%n", i + 1, idle.get(i));
        }
        if (missing.isEmpty() && twice.isEmpty()) {
            out.println(OK_LINE + " (every acknowledged write is on the new primary, once)");
            return 0;
        }
        out.println("failover demo: FAILED (" + missing.size() + " acknowledged writes missing, "
                + twice.size() + " keys present twice)");
        return 1;
    }

    private static String listed(List<Long> keys) {
        List<String> shown = new ArrayList<>(keys.stream().limit(20).map(String::valueOf).toList());
        if (keys.size() > 20) {
            shown.add("... " + (keys.size() - 20) + " more");
        }
        return String.join(", ", shown);
    }

    private String sinceFailover() {
        long promotedAt = promotedAtNanos;
        long killedAt = killedAtNanos;
        if (promotedAt != 0) {
            return " (" + millisSince(promotedAt) + " ms after the promotion)";
        }
        return killedAt != 0 ? " (" + millisSince(killedAt) + " ms after the kill)" : "";
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static long millisSince(long since) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
    }
}
