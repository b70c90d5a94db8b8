package io.switchyard.server.it;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds or a deadline passes; the tests' only way to wait. */
final class Await {
    private Await() {}

    static void until(Duration timeout, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not true within " + timeout.toMillis() + " ms: " + what);
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for: " + what, e);
            }
        }
    }

    /** When the fixture runs a real proxy, waits until no backend connection is borrowed. */
    static void backendConnectionsReleased(ProxyFixture fixture) {
        if (fixture.backendConnectionsInUse() >= 0) {
            until(Duration.ofSeconds(5), "backend connections in use return to 0 (now "
                    + fixture.backendConnectionsInUse() + ")", () -> fixture.backendConnectionsInUse() == 0);
        }
    }
}
