package io.switchyard.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The bounds of a monitor log: age and a hard row cap. */
class MonitorLogTest {
    private final AtomicLong nowMicros = new AtomicLong(10_000_000_000L);

    private MonitorLog<PingLogRow> log(int maxRows, long historyMillis) {
        return new MonitorLog<>("mysql_server_ping_log", maxRows, historyMillis, PingLogRow::timeStartUs, nowMicros::get);
    }

    private PingLogRow row(long startMicros) {
        return new PingLogRow("db1", 3306, startMicros, 42, null);
    }

    @Test
    void rowsOlderThanTheHistoryAreDropped() {
        MonitorLog<PingLogRow> log = log(100, 1_000);
        log.add(row(nowMicros.get() - 1_500_000));
        log.add(row(nowMicros.get() - 500_000));
        log.add(row(nowMicros.get()));

        assertThat(log.rows()).extracting(PingLogRow::timeStartUs)
                .containsExactly(nowMicros.get() - 500_000, nowMicros.get());

        nowMicros.addAndGet(800_000);
        assertThat(log.rows()).hasSize(1);
    }

    @Test
    void neverMoreThanTheCapOldestFirstOut() {
        MonitorLog<PingLogRow> log = log(3, 600_000);
        for (int i = 0; i < 10; i++) {
            log.add(row(nowMicros.get() + i));
        }
        assertThat(log.rows()).extracting(PingLogRow::timeStartUs)
                .containsExactly(nowMicros.get() + 7, nowMicros.get() + 8, nowMicros.get() + 9);
    }

    @Test
    void aShorterHistoryAppliesAtTheNextRead() {
        MonitorLog<PingLogRow> log = log(100, 600_000);
        log.add(row(nowMicros.get() - 5_000_000));
        log.add(row(nowMicros.get()));
        log.historyMillis(1_000);
        assertThat(log.rows()).hasSize(1);
    }

    @Test
    void snapshotsAreImmutableCopies() {
        MonitorLog<PingLogRow> log = log(100, 600_000);
        log.add(row(nowMicros.get()));
        var snapshot = log.rows();
        log.add(row(nowMicros.get()));

        assertThat(snapshot).hasSize(1);
        assertThatThrownBy(() -> snapshot.add(row(0))).isInstanceOf(UnsupportedOperationException.class);
    }
}
