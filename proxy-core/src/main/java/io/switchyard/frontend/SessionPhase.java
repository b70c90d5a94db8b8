package io.switchyard.frontend;

/** Where a {@link ClientSession} stands; the session handles each incoming packet by phase. */
enum SessionPhase {
    /** Greeting sent; waiting for the handshake response or authentication data. */
    LOGIN,
    /** Authenticated; waiting for a backend connection before answering OK. */
    CONNECTING,
    /** Waiting for the client's next command. */
    READY,
    /** A command runs on the backend; its response is being relayed. */
    BUSY,
    /** The backend asked for a local file; client packets go to the backend. */
    LOCAL_INFILE,
    CLOSED
}
