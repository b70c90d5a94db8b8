package io.switchyard.runtime;

/** A configuration that cannot be put in force; the message names the row or variable and the problem. */
public final class InvalidConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidConfigException(String message) {
        super(message);
    }

    public InvalidConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
