package io.switchyard.backend;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** An outage is logged when it starts, summarised at most once a minute, and logged when it ends. */
class OutageLogTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final OutageLog outages = new OutageLog("db1:3306", nanos::get);
    private final Logger logger = (Logger) LoggerFactory.getLogger(OutageLog.class);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    @BeforeEach
    void capture() {
        lines.start();
        logger.addAppender(lines);
        advanceSeconds(10);
    }

    @AfterEach
    void release() {
        logger.detachAppender(lines);
    }

    private void advanceSeconds(long seconds) {
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
    }

    private List<String> messages() {
        return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void theFirstFailureIsLoggedWithItsCauseTheNextOnesAreNot() {
        outages.failed("connect as app", "Connection refused", outages.now());
        for (int i = 0; i < 1_000; i++) {
            outages.failed("connect as app", "Connection refused", outages.now());
        }

        assertThat(messages()).singleElement().asString()
                .contains("db1:3306 is unreachable", "connect as app failed: Connection refused");
        assertThat(lines.list.get(0).getLevel()).isEqualTo(Level.WARN);
        assertThat(outages.down()).isTrue();
    }

    @Test
    void aLastingOutageIsSummarisedAtMostOnceAMinuteWithItsCount() {
        outages.failed("connect as app", "Connection refused", outages.now());
        for (int second = 1; second <= 150; second++) {
            advanceSeconds(1);
            outages.failed("monitor ping", "Connection refused", outages.now());
        }

        assertThat(messages()).hasSize(3);
        assertThat(messages().get(1)).contains("still unreachable after 60 s", "60 failed attempts in the last 60 s",
                "monitor ping failed: Connection refused");
        assertThat(messages().get(2)).contains("still unreachable after 120 s", "60 failed attempts in the last 60 s");
    }

    @Test
    void theFirstSuccessEndsTheOutageOnceAndTheNextFailureStartsANewOne() {
        outages.failed("monitor ping", "Connection refused", outages.now());
        outages.failed("monitor ping", "Connection refused", outages.now());
        advanceSeconds(30);
        outages.succeeded("monitor ping");
        outages.succeeded("connect as app");
        advanceSeconds(10);
        outages.failed("connect as app", "connect timed out", outages.now());

        assertThat(messages()).hasSize(3);
        assertThat(messages().get(1)).contains("db1:3306 is reachable again (monitor ping succeeded) after 30000 ms",
                "2 failed attempts");
        assertThat(lines.list.get(1).getLevel()).isEqualTo(Level.INFO);
        assertThat(messages().get(2)).contains("is unreachable", "connect timed out");
    }

    @Test
    void anAttemptThatBeganBeforeTheServerCameBackDoesNotStartANewOutage() {
        outages.failed("monitor ping", "Connection refused", outages.now());
        long waitingSince = outages.now();
        advanceSeconds(2);
        outages.succeeded("monitor connect check");
        outages.failed("monitor ping", "Connection is not available, request timed out after 1002ms", waitingSince);

        assertThat(messages()).hasSize(2);
        assertThat(outages.down()).isFalse();
    }

    @Test
    void aSingleFailureRightAfterTheServerCameBackIsNotANewOutage() {
        outages.failed("connect as app", "Connection refused", outages.now());
        advanceSeconds(30);
        outages.succeeded("monitor connect check");
        advanceSeconds(1);
        outages.failed("monitor ping", "Connection is not available, request timed out after 1000ms", outages.now());
        outages.succeeded("monitor ping");

        assertThat(messages()).hasSize(2);

        // but a second failure in a row is one
        advanceSeconds(1);
        outages.failed("monitor ping", "Connection refused", outages.now());
        outages.failed("monitor ping", "Connection refused", outages.now());
        assertThat(messages()).hasSize(3);
        assertThat(messages().get(2)).contains("is unreachable");
    }

    @Test
    void successesWithoutAnOutageLogNothing() {
        for (int i = 0; i < 100; i++) {
            outages.succeeded("connect as app");
        }

        assertThat(lines.list).isEmpty();
        assertThat(outages.down()).isFalse();
    }
}
