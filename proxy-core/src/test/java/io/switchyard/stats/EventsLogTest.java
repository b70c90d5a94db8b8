package io.switchyard.stats;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventsLogTest {
    @TempDir
    Path dir;

    private static EventsLog.Event event(long session, String digestText) {
        return new EventsLog.Event(1_764_900_000_123L, session, "app", "shop", "127.0.0.1", 0, "127.0.0.1:3306", "0x1A2B", digestText,
                1_500, 3, 0, 0);
    }

    @Test
    void aLineIsOneJsonObjectWithEveryFieldAndItsTextEscaped() {
        String line = EventsLog.json(new EventsLog.Event(1_764_900_000_123L, 7, "app", null, "10.0.0.1", 1, null, "0x00FF",
                "SELECT \"a\\b\"\n\t\u0001", 42, 1, 2, 1146));
        assertThat(line).isEqualTo("{\"time\":\"2025-12-05T02:00:00.123Z\",\"session\":7,\"user\":\"app\",\"schema\":null,"
                + "\"client\":\"10.0.0.1\",\"hostgroup\":1,\"server\":null,\"digest\":\"0x00FF\","
                + "\"digest_text\":\"SELECT \\\"a\\\\b\\\"\\n\\t\\u0001\",\"duration_us\":42,\"rows_sent\":1,\"rows_affected\":2,"
                + "\"error\":1146}");
    }

    @Test
    void filesAreNumberedAndANewOneStartsAtTheSizeLimit() throws Exception {
        Path base = dir.resolve("events");
        int lineBytes = (EventsLog.json(event(1, "SELECT ?")) + "\n").length();
        try (EventsLog log = new EventsLog()) {
            for (int i = 0; i < 10; i++) {
                log.offer(event(1, "SELECT ?"), base.toString(), 3L * lineBytes);
            }
            Await.until(Duration.ofSeconds(5), "10 lines written", () -> log.written() == 10);
        }
        assertThat(Files.readAllLines(EventsLog.file(base, 1))).hasSize(3);
        assertThat(Files.readAllLines(EventsLog.file(base, 2))).hasSize(3);
        assertThat(Files.readAllLines(EventsLog.file(base, 3))).hasSize(3);
        assertThat(Files.readAllLines(EventsLog.file(base, 4))).hasSize(1);

        try (EventsLog again = new EventsLog()) {
            again.offer(event(2, "SELECT ?"), base.toString(), 3L * lineBytes);
            Await.until(Duration.ofSeconds(5), "1 line written", () -> again.written() == 1);
        }
        assertThat(Files.readAllLines(EventsLog.file(base, 4))).as("a restart goes on in the last file").hasSize(2);
        assertThat(EventsLog.highestSequence(base)).isEqualTo(4);
    }

    @Test
    void aFileThatCannotBeWrittenLosesLinesAndNothingElse() throws Exception {
        Path base = dir.resolve("full");
        // The device that answers every write with "no space left on device".
        Files.createSymbolicLink(EventsLog.file(base, 1), Path.of("/dev/full"));
        try (EventsLog log = new EventsLog()) {
            for (int i = 0; i < 5; i++) {
                log.offer(event(1, "SELECT ?"), base.toString(), 1 << 20);
            }
            Await.until(Duration.ofSeconds(5), "5 lines counted as lost", () -> log.lost() == 5);
            assertThat(log.written()).isZero();

            Path elsewhere = dir.resolve("elsewhere");
            log.offer(event(1, "SELECT ?"), elsewhere.toString(), 1 << 20);
            Await.until(Duration.ofSeconds(5), "a line written to a writable file", () -> log.written() == 1);
            assertThat(Files.readAllLines(EventsLog.file(elsewhere, 1))).hasSize(1);
        }
    }

    @Test
    void aSessionNeverWaitsWhenTheWriterIsStuck() throws Exception {
        Path base = dir.resolve("stuck");
        Path fifo = EventsLog.file(base, 1);
        // A named pipe nobody reads: the writer blocks opening it, as on a hung disk.
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertThat(mkfifo.waitFor()).isZero();
        int beyond = 3_000;
        int offered = EventsLog.QUEUE_CAPACITY + beyond;
        try (EventsLog log = new EventsLog()) {
            for (int i = 0; i < offered; i++) {
                log.offer(event(i, "SELECT ?"), base.toString(), Long.MAX_VALUE);
            }
            // The writer holds at most one batch (1,024 lines) out of the queue while it is stuck.
            assertThat(log.lost()).as("lines beyond the queue are lost, not waited for").isBetween(beyond - 1_024L, (long) beyond);
            Thread reader = new Thread(() -> {
                try (var in = Files.newInputStream(fifo)) {
                    in.transferTo(java.io.OutputStream.nullOutputStream());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            reader.start();
            Await.until(Duration.ofSeconds(20), "every queued line written once the file takes them",
                    () -> log.written() == offered - log.lost());
            log.close();
            reader.join(10_000);
        }
    }
}
