package io.switchyard.server.it.diff;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sessions that keep the proxy's pool busy with short statements, so that a session replayed
 * beside them gets a different backend connection from one statement to the next; given
 * statements of their own, they also leave their state on the connections they hand back. Each
 * runs at most {@link #MAX_STATEMENTS} statements.
 *
 * <p>Thread-safe: started and closed by one thread, run by its own threads.
 */
public final class Noise implements AutoCloseable {
    private static final int MAX_STATEMENTS = 100_000;

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    /**
     * Starts {@code sessions} sessions on {@code port}, each running {@code statements} in a loop
     * (errors ignored), or {@code DO SLEEP(0.002)} when the list is empty.
     */
    public static Noise start(int sessions, int port, String user, String password, List<String> statements) {
        Noise noise = new Noise();
        List<String> loop = statements.isEmpty() ? List.of("DO SLEEP(0.002)") : List.copyOf(statements);
        for (int i = 0; i < sessions; i++) {
            noise.threads.add(Thread.ofPlatform().name("difftest-noise-" + i).start(() -> noise.run(port, user, password, loop)));
        }
        return noise;
    }

    private void run(int port, String user, String password, List<String> loop) {
        try (Connection connection = DriverManager.getConnection(Driver.CONNECTOR_J.url(port, Schema.APP_DATABASE), user, password);
             Statement statement = connection.createStatement()) {
            for (int i = 0; i < MAX_STATEMENTS && running.get(); i++) {
                try {
                    statement.execute(loop.get(i % loop.size()));
                } catch (SQLException e) {
                    if (connection.isClosed()) {
                        return;
                    }
                }
            }
        } catch (SQLException e) {
            // noise only: the replayed session's outcomes are what the test compares
        }
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread thread : threads) {
            thread.join(10_000);
        }
    }
}
