package io.switchyard.frontend.state;

/**
 * Why a session's state cannot currently move to another backend connection, so multiplexing is
 * suspended; each constant says what lifts it. {@link SessionStateTracker#onReset} lifts all.
 *
 * <p>Immutable enum; thread-safe.
 */
public enum PinReason {
    /**
     * A user variable holds a value the tracker cannot replay: assigned from an expression
     * ({@code SET @v = NOW()}, {@code SELECT @v := ...}, {@code SELECT ... INTO @v}) or read
     * without the tracker knowing its value (it may have been set by a procedure). Lifted when
     * every such variable has been reassigned from a literal.
     */
    USER_VARIABLE,
    /** A {@code CREATE TEMPORARY TABLE} exists. Lifted when every one created has been dropped. */
    TEMPORARY_TABLE,
    /** {@code LOCK TABLES} or {@code FLUSH TABLES ... WITH READ LOCK}. Lifted by {@code UNLOCK TABLES}. */
    TABLE_LOCK,
    /**
     * {@code GET_LOCK()} was called more times than {@code RELEASE_LOCK()}. Lifted when the count
     * reaches zero or by {@code RELEASE_ALL_LOCKS()}.
     */
    ADVISORY_LOCK,
    /** A SQL-level {@code PREPARE name} exists. Lifted when every name has been deallocated. */
    PREPARED_STATEMENT,
    /** A {@code HANDLER t OPEN [AS alias]} cursor is open. Lifted when every one is closed. */
    HANDLER
}
