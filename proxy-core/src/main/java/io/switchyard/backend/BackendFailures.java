package io.switchyard.backend;

import io.netty.channel.unix.Errors;
import io.switchyard.protocol.ErrPacket;
import java.net.SocketException;

/**
 * What a backend connection's failure means: a login the server refused (its ERR), a connect or
 * login that failed otherwise, a connection the server reset rather than closed. Stateless.
 */
public final class BackendFailures {
    private BackendFailures() {
    }

    /**
     * True when {@code cause} says the server reset the connection (a TCP RST, as MariaDB does
     * when it drops an idle session) rather than closing it in order.
     */
    public static boolean resetByServer(Throwable cause) {
        if (cause instanceof Errors.NativeIoException e) {
            return e.expectedErr() == Errors.ERRNO_ECONNRESET_NEGATIVE;
        }
        return cause instanceof SocketException && String.valueOf(cause.getMessage()).startsWith("Connection reset");
    }

    /** Connecting or logging in to a backend failed. */
    public static final class BackendConnectException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public BackendConnectException(ServerAddress address, Throwable cause) {
            super("cannot connect to " + address + ": " + cause.getMessage(), cause);
        }
    }

    /** The ERR a backend refused a login with, or null when the failure was not an ERR. */
    public static ErrPacket loginError(Throwable failure) {
        return failure instanceof BackendLogin.BackendLoginException e ? e.err : null;
    }
}
