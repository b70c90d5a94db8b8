package io.switchyard.admin;

import io.switchyard.protocol.ErrPacket;
import io.switchyard.protocol.ProxyError;

/**
 * A statement that failed with an error the admin sends to the client as is; thrown on the
 * admin's SQL thread.
 */
public final class AdminException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient ErrPacket error;

    public AdminException(ErrPacket error) {
        super(error.toString());
        this.error = error;
    }

    /** An exception carrying {@code error}'s ERR, its template filled with {@code args}. */
    public AdminException(ProxyError error, Object... args) {
        this(error.format(args));
    }

    public ErrPacket error() {
        return error;
    }
}
