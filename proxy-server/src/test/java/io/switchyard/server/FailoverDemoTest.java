package io.switchyard.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code demo --failover} end to end on a short schedule: real MariaDB servers, the proxy, a
 * Connector/J load, SIGKILL of the primary and promotion of a replica.
 */
class FailoverDemoTest {

    @Test
    void everyAcknowledgedWriteSurvivesTheKillOfThePrimary() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        FailoverDemo.Schedule schedule = new FailoverDemo.Schedule(Duration.ofSeconds(2), Duration.ofMillis(500),
                Duration.ofSeconds(3));

        int exit = new FailoverDemo(schedule, out, true).run();

        String output = buffer.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(output).isZero();
        assertThat(output).contains(FailoverDemo.OK_LINE, "killed the primary #1", "promoted #", "proxy: writer none -> #");
        Matcher found = Pattern.compile("acknowledged writes on the new primary #\\d: (\\d+) / (\\d+) found; keys present twice: 0")
                .matcher(output);
        assertThat(found.find()).as(output).isTrue();
        assertThat(Long.parseLong(found.group(1))).isEqualTo(Long.parseLong(found.group(2))).isPositive();
        assertThat(output.lines().filter(line -> line.contains("idle connection") && line.endsWith("SELECT 1 returned 1")))
                .hasSize(3);
        Matcher transactions = Pattern.compile("transactions committed: (\\d+); lost \\(failed before COMMIT was sent\\): (\\d+);")
                .matcher(output);
        assertThat(transactions.find()).as(output).isTrue();
        assertThat(Long.parseLong(transactions.group(1))).as(output).isPositive();
        assertThat(Long.parseLong(transactions.group(2))).as("transactions lost with transaction replay on: %s", output).isZero();
        Matcher reads = Pattern.compile("stale \\(missed a row acknowledged before the read began\\): (\\d+)").matcher(output);
        assertThat(reads.find()).as(output).isTrue();
        assertThat(Long.parseLong(reads.group(1))).as("stale reads with causal reads global: %s", output).isZero();
    }

    @Test
    void gtidPositionsCompareBySequenceNumber() {
        assertThat(FailoverDemo.gtidSequenceTotal("0-1-1274")).isEqualTo(1274);
        assertThat(FailoverDemo.gtidSequenceTotal("0-1-10,1-2-5")).isEqualTo(15);
        assertThat(FailoverDemo.gtidSequenceTotal("")).isZero();
    }
}
