package io.switchyard.frontend.state;

/**
 * Why a session cannot move to another backend connection: it holds state the proxy cannot
 * reproduce on another connection, or does not know exactly. A pin lasts until the session's
 * state is reset (COM_RESET_CONNECTION, COM_CHANGE_USER) or the session ends; its connection is
 * then reset before anyone else gets it.
 *
 * <p>Immutable enum; thread-safe.
 */
public enum PinReason {
    /** A user variable was assigned or read ({@code @v}). */
    USER_VARIABLE,
    /** A temporary table was created. */
    TEMPORARY_TABLE,
    /** {@code LOCK TABLES} or {@code FLUSH TABLES ... WITH READ LOCK}. */
    TABLE_LOCK,
    /** {@code GET_LOCK()} was called. */
    ADVISORY_LOCK,
    /**
     * {@code CONNECTION_ID()} was read: the server answers with its thread id, which another
     * connection would not share (a later {@code KILL} of it must reach this session's thread).
     */
    CONNECTION_ID,
    /**
     * A sequence's next value was taken ({@code NEXTVAL(s)}, {@code NEXT VALUE FOR s}) or its last
     * value read ({@code LASTVAL(s)}, {@code PREVIOUS VALUE FOR s}): the last value the session
     * took lives on the connection, the server does not report it, and nothing but taking another
     * value sets it.
     */
    SEQUENCE,
    /**
     * The session reset or read its session status counters ({@code FLUSH STATUS},
     * {@code SHOW [SESSION] STATUS}): they belong to the connection, so later readings compare
     * with earlier ones only on the same connection.
     */
    SESSION_STATUS,
    /** A SQL-level {@code PREPARE name} ran. */
    PREPARED_STATEMENT,
    /** A {@code HANDLER} statement ran. */
    HANDLER,
    /**
     * A stored program or dynamic SQL ran ({@code CALL}, a compound statement such as
     * {@code BEGIN NOT ATOMIC} or {@code FOR ... END FOR}, {@code EXECUTE [IMMEDIATE]}): the server
     * does not report everything such code changes (locks, variables set before an error).
     */
    STORED_PROGRAM,
    /**
     * A statement may have called a stored function ({@link StoredFunctionCalls}): its body may
     * take an advisory lock ({@code GET_LOCK}) or a sequence's next value, which the server does
     * not report.
     */
    STORED_FUNCTION,
    /**
     * A text of several statements changed {@code sql_mode} or the client's character set: the
     * server reads the statements after the change under the new quoting rules
     * ({@link QuoteRules}) or in the new character set ({@link TextCharsets}), which the proxy
     * did not read the text with.
     */
    READING_CHANGED_IN_TEXT,
    /** An XA transaction statement ran. */
    XA_TRANSACTION,
    /** The server reported a change of session state that no tracked statement explains. */
    UNEXPLAINED_CHANGE,
    /** A variable changed whose value cannot be set again to the same effect ({@code timestamp}, {@code insert_id}, ...). */
    UNREPLAYABLE_VARIABLE,
    /** The server does not report session-state changes (no CLIENT_SESSION_TRACK), so the proxy cannot learn them. */
    UNTRACKED_SERVER,
    /** The client changed its session-tracking settings and the proxy could not turn full tracking on again. */
    SESSION_TRACKING
}
