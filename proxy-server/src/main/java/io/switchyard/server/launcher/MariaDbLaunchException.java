package io.switchyard.server.launcher;

/**
 * Thrown when a MariaDB server of the launcher cannot be found, initialised, started, stopped
 * or driven. The message says what failed and, where it helps, ends with the tail of the
 * server's error log.
 */
public final class MariaDbLaunchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MariaDbLaunchException(String message) {
        super(message);
    }

    public MariaDbLaunchException(String message, Throwable cause) {
        super(message, cause);
    }
}
