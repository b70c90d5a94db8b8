package io.switchyard.admin;

import io.switchyard.protocol.ErrPacket;

/** A statement that failed with an error the admin sends to the client as is. */
public final class AdminException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient ErrPacket error;

    public AdminException(ErrPacket error) {
        super(error.toString());
        this.error = error;
    }

    public ErrPacket error() {
        return error;
    }
}
