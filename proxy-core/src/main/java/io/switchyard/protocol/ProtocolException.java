package io.switchyard.protocol;

/**
 * A peer sent bytes that do not follow the protocol. The connection that received them is
 * answered with an error and closed; no other connection is affected.
 */
public class ProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }
}
