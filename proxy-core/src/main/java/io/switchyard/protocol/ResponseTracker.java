package io.switchyard.protocol;

import io.netty.buffer.ByteBuf;

/**
 * Follows a server's response to one command packet by packet, reading only headers, first bytes
 * and the small packets that steer the protocol (OK, ERR, EOF, column counts, prepare replies),
 * so the relay can forward everything else as raw bytes, even a single packet of gigabytes,
 * without buffering it.
 *
 * <p>{@link #scan(ByteBuf)} tells how many leading bytes of a buffer belong to the response and
 * are complete enough to forward. It stops at the end of the response, or after a
 * LOCAL INFILE request, whose file data the client sends next.
 *
 * <p>Not thread-safe: one instance per backend connection, confined to its event loop.
 *
 * <p>Longer than 400 lines on purpose: it is one state machine over every response shape (text
 * and binary results, several result sets, cursors, prepare replies, LOCAL INFILE), and its
 * transitions are read together to see that each shape ends exactly where the server's does, and
 * that a client without CLIENT_DEPRECATE_EOF gets its EOF packets exactly where the server would
 * put them for it.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query_response.html">COM_QUERY response</a>
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_stmt_prepare.html#sect_protocol_com_stmt_prepare_response">COM_STMT_PREPARE response</a>
 */
public final class ResponseTracker {

    /** Where the response stands. */
    public enum State {
        /** Expecting the first packet of a (next) result: OK, ERR, LOCAL INFILE or a column count. */
        FIRST,
        COLUMN_DEFS,
        COLUMN_EOF,
        ROWS,
        PREPARE_PARAMS,
        PREPARE_PARAMS_EOF,
        PREPARE_COLUMNS,
        PREPARE_COLUMNS_EOF,
        /** One packet of any content (COM_STATISTICS). */
        SINGLE,
        /** The server asked for a local file; the client's data comes next. */
        LOCAL_INFILE,
        DONE
    }

    /** Where an EOF the client expects and the server does not send goes, after the packet now scanned. */
    private enum Insertion {
        NONE,
        /** After a prepare reply's parameter or column definitions: the connection's status as the command found it. */
        AT_ONCE,
        /** After a result's column definitions: the status {@link ColumnsEof} finds. */
        LOOK_AHEAD
    }

    /**
     * The status flags that hold for one statement only: the server clears them when the next
     * statement starts (MariaDB's SERVER_STATUS_CLEAR_SET).
     */
    private static final int PER_STATEMENT = ServerStatus.NO_GOOD_INDEX_USED | ServerStatus.NO_INDEX_USED
            | ServerStatus.MORE_RESULTS_EXISTS | ServerStatus.METADATA_CHANGED | ServerStatus.QUERY_WAS_SLOW
            | ServerStatus.DB_DROPPED | ServerStatus.CURSOR_EXISTS | ServerStatus.LAST_ROW_SENT
            | ServerStatus.SESSION_STATE_CHANGED | ServerStatus.PS_OUT_PARAMS;

    private Command command = Command.UNKNOWN;
    private boolean deprecateEof;
    /** The client expects EOF packets the server (CLIENT_DEPRECATE_EOF) does not send. */
    private boolean insertEof;
    private Insertion insertion = Insertion.NONE;
    /** A result's column definitions ended; the EOF the client expects after them waits for its status. */
    private boolean columnsEofPending;
    private InsertedEof eofToInsert;
    /** The sequence id of the last packet header scanned, as the server sent it. */
    private int lastSequence;
    /** The connection's status as the command found it, without the flags of the statement before. */
    private int statusBefore;
    private boolean isolateStatusPackets;
    private boolean endedWithStatusPacket;
    /** Hand each result's column count (and a COM_STMT_EXECUTE's first column definitions) over on its own. */
    private boolean isolateMetadata;
    private boolean endedWithMetadata;
    private int metadataColumns;
    /** Packets the relay dropped from this response so far: later packets' sequence ids move down by as many. */
    private int sequenceShift;
    private boolean cursorRequested;
    private boolean cursorOpened;
    private State state = State.DONE;
    private long remaining;
    private long bodyRemaining;
    private boolean continuation;
    private int statusFlags;
    private int warnings;
    /** The most warnings any OK or EOF of the response counted: a statement of several may have left them. */
    private int mostWarnings;
    private ErrPacket error;
    private long affectedRows;
    private int resultSets;
    private int withColumns;
    private long rows;
    private long preparedColumns;
    private int preparedParams;
    private long preparedStatementId = -1;

    /** A tracker for a response that already ended with an OK carrying {@code statusFlags}. */
    public static ResponseTracker completed(Command command, int statusFlags) {
        ResponseTracker t = new ResponseTracker();
        t.command = command;
        t.state = State.DONE;
        t.statusFlags = statusFlags;
        return t;
    }

    /** Starts following the response to {@code command} on a connection with {@code capabilities}. */
    public void begin(Command command, long capabilities) {
        begin(command, capabilities, false);
    }

    /**
     * Same; with {@code isolateStatusPackets} every OK and EOF packet that ends a result is
     * returned by {@link #scan} on its own ({@link #endedWithStatusPacket()}), so the relay can
     * read its session-state information and rewrite it for the client.
     */
    public void begin(Command command, long capabilities, boolean isolateStatusPackets) {
        begin(command, capabilities, isolateStatusPackets, false);
    }

    /**
     * Same; {@code cursorRequested} tells that a COM_STMT_EXECUTE asked for a cursor, so a result
     * whose column definitions end with SERVER_STATUS_CURSOR_EXISTS sends its rows later, by
     * COM_STMT_FETCH.
     */
    public void begin(Command command, long capabilities, boolean isolateStatusPackets, boolean cursorRequested) {
        begin(command, capabilities, isolateStatusPackets, cursorRequested, false);
    }

    /**
     * Same; with {@code isolateMetadata}, each result's column count, and with it the column
     * definitions of a COM_STMT_EXECUTE's first result, is counted by a {@link #scan} of its own
     * ({@link #endedWithMetadata}), so that the relay can rewrite them for a client that caches
     * prepared statements' metadata.
     */
    public void begin(Command command, long capabilities, boolean isolateStatusPackets, boolean cursorRequested,
                      boolean isolateMetadata) {
        begin(command, capabilities, isolateStatusPackets, cursorRequested, isolateMetadata, false);
    }

    /**
     * Same; with {@code insertEof}, on a connection with CLIENT_DEPRECATE_EOF, the response is
     * relayed to a client without it: {@link #scan} stops where that client expects an EOF packet
     * the server does not send ({@link #eofToInsert}), and every OK that ends a result is returned
     * on its own, for the relay to write as an EOF.
     */
    public void begin(Command command, long capabilities, boolean isolateStatusPackets, boolean cursorRequested,
                      boolean isolateMetadata, boolean insertEof) {
        this.isolateMetadata = isolateMetadata;
        sequenceShift = 0;
        this.command = command;
        this.cursorRequested = cursorRequested;
        this.cursorOpened = false;
        this.deprecateEof = Capability.has(capabilities, Capability.CLIENT_DEPRECATE_EOF);
        this.insertEof = insertEof && deprecateEof;
        this.isolateStatusPackets = isolateStatusPackets || this.insertEof;
        insertion = Insertion.NONE;
        columnsEofPending = false;
        eofToInsert = null;
        statusBefore = statusFlags & ~PER_STATEMENT;
        this.state = switch (command) {
            case STATISTICS -> State.SINGLE;
            case FIELD_LIST, STMT_FETCH -> State.ROWS;
            default -> State.FIRST;
        };
        remaining = 0;
        bodyRemaining = 0;
        continuation = false;
        error = null;
        warnings = 0;
        mostWarnings = 0;
        affectedRows = 0;
        resultSets = 0;
        withColumns = 0;
        rows = 0;
        preparedColumns = 0;
        preparedParams = 0;
        preparedStatementId = -1;
    }

    /** The client finished sending its local file; the server's OK or ERR comes next. */
    public void localInfileSent() {
        if (state != State.LOCAL_INFILE) {
            throw new IllegalStateException("no LOCAL INFILE request pending");
        }
        state = State.FIRST;
    }

    /**
     * Examines {@code buf} from its reader index, without moving it, and returns how many bytes
     * belong to the response and may be forwarded now. Bytes of a packet whose meaning needs the
     * whole packet are counted only once the packet is complete.
     */
    public int scan(ByteBuf buf) {
        final int start = buf.readerIndex();
        final int end = buf.writerIndex();
        int pos = start;
        endedWithStatusPacket = false;
        endedWithMetadata = false;
        eofToInsert = null;
        if (columnsEofPending) {
            decideColumnsEof(buf, start, end);
            if (columnsEofPending || eofToInsert != null) {
                return 0;
            }
        }
        while (pos < end && (packetPending() || (state != State.DONE && state != State.LOCAL_INFILE))) {
            if (bodyRemaining > 0) {
                int n = (int) Math.min(bodyRemaining, end - pos);
                pos += n;
                bodyRemaining -= n;
                if (bodyRemaining == 0 && !continuation && insertion != Insertion.NONE) {
                    definitionsEnded();
                    break;
                }
                continue;
            }
            if (end - pos < Wire.HEADER_SIZE) {
                break;
            }
            int length = Wire.payloadLength(buf, pos);
            if (continuation) {
                continuation = length == Wire.MAX_PAYLOAD;
                shiftSequence(buf, pos);
                pos += Wire.HEADER_SIZE;
                bodyRemaining = length;
                continue;
            }
            if (length > 0 && end - pos < Wire.HEADER_SIZE + 1) {
                break;
            }
            int first = length > 0 ? buf.getUnsignedByte(pos + Wire.HEADER_SIZE) : -1;
            if (needsWholePacket(first, length)) {
                boolean status = isolateStatusPackets && isStatusPacket(buf, pos + Wire.HEADER_SIZE, length);
                boolean metadata = isolateMetadata && state == State.FIRST && isColumnCount(first, length);
                if ((status || metadata) && pos > start) {
                    break;
                }
                if (end - pos < Wire.HEADER_SIZE + length) {
                    break;
                }
                if (metadata) {
                    return scanMetadata(buf, pos, end, length) - start;
                }
                onWholePacket(buf, pos + Wire.HEADER_SIZE, length, first);
                shiftSequence(buf, pos);
                pos += Wire.HEADER_SIZE + length;
                if (status) {
                    endedWithStatusPacket = true;
                    break;
                }
            } else {
                onStreamedPacket();
                continuation = length == Wire.MAX_PAYLOAD;
                shiftSequence(buf, pos);
                pos += Wire.HEADER_SIZE;
                bodyRemaining = length;
                if (length == 0 && insertion != Insertion.NONE) {
                    definitionsEnded();
                    break;
                }
            }
        }
        return pos - start;
    }

    /**
     * The last definition of a group passed: a prepare reply's EOF is inserted now; a result's
     * waits until {@link #decideColumnsEof} finds its status.
     */
    private void definitionsEnded() {
        Insertion what = insertion;
        insertion = Insertion.NONE;
        if (what == Insertion.AT_ONCE) {
            insert(statusBefore, warnings, null);
        } else {
            columnsEofPending = true;
        }
    }

    /**
     * Decides the EOF a client without CLIENT_DEPRECATE_EOF expects after a result's columns
     * ({@link ColumnsEof}). A predicted status is the one before the result (the connection's as
     * the command found it, or the previous result's), without the flags of one statement, but
     * with "more results" when the previous result of this response said so.
     */
    private void decideColumnsEof(ByteBuf buf, int start, int end) {
        int at = ColumnsEof.endOfResult(buf, start, end, cursorRequested && command == Command.STMT_EXECUTE && rows == 0,
                s -> rows == 0 && opensCursor(s));
        switch (at) {
            case ColumnsEof.UNDECIDED -> { }
            case ColumnsEof.NONE -> columnsEofPending = false;
            case ColumnsEof.PREDICTED ->
                    insert((statusFlags & ~PER_STATEMENT) | (statusFlags & ServerStatus.MORE_RESULTS_EXISTS), 0, null);
            default -> {
                int length = Wire.payloadLength(buf, at);
                insert(OkPacket.statusFlags(buf, at + Wire.HEADER_SIZE, length), OkPacket.warnings(buf, at + Wire.HEADER_SIZE, length),
                        buf.slice(at + Wire.HEADER_SIZE, length));
            }
        }
    }

    /** An EOF goes to the client now, before the rest of the response, whose sequence ids move up by one. */
    private void insert(int status, int warningCount, ByteBuf from) {
        columnsEofPending = false;
        eofToInsert = new InsertedEof((lastSequence + 1 - sequenceShift) & 0xff, status, warningCount, from);
        sequenceShift--;
    }

    /**
     * An EOF packet the server did not send, for a client without CLIENT_DEPRECATE_EOF.
     *
     * @param from the payload of the OK that ends the result, whose status and warnings the EOF
     *     took, or null when they were predicted; a view of the scanned buffer, valid only until
     *     the next {@link #scan}
     */
    public record InsertedEof(int sequenceId, int statusFlags, int warnings, ByteBuf from) { }

    /**
     * The EOF the client (without CLIENT_DEPRECATE_EOF, only with {@code insertEof}) gets after
     * the bytes the last {@link #scan} counted, or null.
     */
    public InsertedEof eofToInsert() {
        return eofToInsert;
    }

    /**
     * The column count at {@code pos} (whole in {@code buf}), and for the first result of a
     * COM_STMT_EXECUTE its column definitions too, once all of them are in {@code buf}: counts
     * them and returns where they end, or returns {@code pos} to wait for more bytes.
     */
    private int scanMetadata(ByteBuf buf, int pos, int end, int length) {
        long count = Wire.readLenEncInt(buf.slice(pos + Wire.HEADER_SIZE, length));
        boolean withDefinitions = command == Command.STMT_EXECUTE && resultSets == 0 && count > 0 && count < 65536;
        int after = pos + Wire.HEADER_SIZE + length;
        if (withDefinitions) {
            for (long i = 0; i < count; i++) {
                if (end - after < Wire.HEADER_SIZE) {
                    return pos;
                }
                int defLength = Wire.payloadLength(buf, after);
                if (defLength >= Wire.MAX_PAYLOAD || end - after < Wire.HEADER_SIZE + defLength) {
                    return pos;
                }
                after += Wire.HEADER_SIZE + defLength;
            }
        }
        onWholePacket(buf, pos + Wire.HEADER_SIZE, length, buf.getUnsignedByte(pos + Wire.HEADER_SIZE));
        shiftSequence(buf, pos);
        int at = pos + Wire.HEADER_SIZE + length;
        if (withDefinitions) {
            while (at < after) {
                shiftSequence(buf, at);
                at += Wire.HEADER_SIZE + Wire.payloadLength(buf, at);
                onStreamedPacket();
            }
            if (insertion != Insertion.NONE) {
                definitionsEnded();
            }
        }
        endedWithMetadata = true;
        metadataColumns = withDefinitions ? (int) count : 0;
        return after;
    }

    private boolean isColumnCount(int first, int length) {
        return length > 0 && command != Command.STMT_PREPARE && first != OkPacket.HEADER && first != ErrPacket.HEADER
                && !isTerminator(first, length) && !(first == LocalInfileRequest.HEADER && command == Command.QUERY);
    }

    /** Moves the sequence id of the packet header at {@code pos} down by the packets dropped before it. */
    private void shiftSequence(ByteBuf buf, int pos) {
        lastSequence = buf.getUnsignedByte(pos + 3);
        if (sequenceShift != 0) {
            buf.setByte(pos + 3, (buf.getUnsignedByte(pos + 3) - sequenceShift) & 0xff);
        }
    }

    /**
     * True when the bytes the last {@link #scan} counted are exactly one result's column count,
     * followed by {@link #metadataColumns} column definitions (only with {@code isolateMetadata}).
     */
    public boolean endedWithMetadata() {
        return endedWithMetadata;
    }

    /** Column definitions in the metadata the last {@link #scan} counted (0 when only the column count). */
    public int metadataColumns() {
        return metadataColumns;
    }

    /** The relay dropped {@code packets} packets: the sequence ids of the rest of the response move down. */
    public void dropped(int packets) {
        sequenceShift += packets;
    }

    /**
     * An OK or EOF packet that ends a statement or a result, where the server puts status flags
     * and (OK only) session-state information: not a COM_STMT_PREPARE reply, whose first packet
     * also starts with 0x00.
     */
    private boolean isStatusPacket(ByteBuf buf, int index, int length) {
        if (length == 0 || length >= Wire.MAX_PAYLOAD) {
            return false;
        }
        return switch (state) {
            case FIRST -> command != Command.STMT_PREPARE && (OkPacket.isOk(buf, index, length) || OkPacket.isEof(buf, index, length));
            case COLUMN_EOF, ROWS -> OkPacket.isOk(buf, index, length) || OkPacket.isEof(buf, index, length);
            default -> false;
        };
    }

    /**
     * True when the bytes the last {@link #scan} counted are exactly one OK or EOF packet that
     * ends a statement or a result (only with {@code isolateStatusPackets}).
     */
    public boolean endedWithStatusPacket() {
        return endedWithStatusPacket;
    }

    /** True while the body or a continuation of a streamed packet has yet to pass, even its last one. */
    private boolean packetPending() {
        return bodyRemaining > 0 || continuation;
    }

    private boolean needsWholePacket(int first, int length) {
        return switch (state) {
            case FIRST, SINGLE, COLUMN_EOF, PREPARE_PARAMS_EOF, PREPARE_COLUMNS_EOF -> true;
            case ROWS -> isTerminator(first, length) || first == ErrPacket.HEADER;
            default -> first == ErrPacket.HEADER;
        };
    }

    private static boolean isTerminator(int first, int length) {
        return first == OkPacket.EOF_HEADER && length < Wire.MAX_PAYLOAD;
    }

    private void onStreamedPacket() {
        switch (state) {
            case COLUMN_DEFS -> {
                if (--remaining == 0) {
                    state = deprecateEof ? State.ROWS : State.COLUMN_EOF;
                    insertion = insertEof ? Insertion.LOOK_AHEAD : Insertion.NONE;
                }
            }
            case PREPARE_PARAMS -> {
                if (--remaining == 0) {
                    state = deprecateEof ? afterParams() : State.PREPARE_PARAMS_EOF;
                    insertion = insertEof ? Insertion.AT_ONCE : Insertion.NONE;
                }
            }
            case PREPARE_COLUMNS -> {
                if (--remaining == 0) {
                    state = deprecateEof ? State.DONE : State.PREPARE_COLUMNS_EOF;
                    insertion = insertEof ? Insertion.AT_ONCE : Insertion.NONE;
                }
            }
            case ROWS -> rows++;
            default -> throw new IllegalStateException("streamed packet in state " + state);
        }
    }

    private void onWholePacket(ByteBuf buf, int index, int length, int first) {
        if (first == ErrPacket.HEADER && state != State.SINGLE) {
            error = ErrPacket.decode(buf.slice(index, length));
            state = State.DONE;
            return;
        }
        switch (state) {
            case SINGLE -> state = State.DONE;
            case FIRST -> onFirstPacket(buf, index, length, first);
            case COLUMN_EOF -> {
                statusFlags = OkPacket.statusFlags(buf, index, length);
                cursorOpened = opensCursor(statusFlags);
                state = cursorOpened ? endOfResult() : State.ROWS;
            }
            case ROWS -> {
                statusFlags = OkPacket.statusFlags(buf, index, length);
                warnings = OkPacket.warnings(buf, index, length);
                mostWarnings = Math.max(mostWarnings, warnings);
                // With CLIENT_DEPRECATE_EOF a cursor's columns end with this packet.
                cursorOpened = rows == 0 && opensCursor(statusFlags);
                state = endOfResult();
            }
            case PREPARE_PARAMS_EOF -> state = afterParams();
            case PREPARE_COLUMNS_EOF -> state = State.DONE;
            default -> throw new IllegalStateException("whole packet in state " + state);
        }
    }

    private void onFirstPacket(ByteBuf buf, int index, int length, int first) {
        if (first == OkPacket.HEADER && command == Command.STMT_PREPARE) {
            if (length < 12) {
                throw new ProtocolException("short COM_STMT_PREPARE reply (" + length + " bytes)");
            }
            preparedStatementId = buf.getUnsignedIntLE(index + 1);
            preparedColumns = buf.getUnsignedShortLE(index + 5);
            preparedParams = buf.getUnsignedShortLE(index + 7);
            remaining = preparedParams;
            warnings = buf.getUnsignedShortLE(index + 10);
            state = remaining > 0 ? State.PREPARE_PARAMS : afterParams();
        } else if (first == OkPacket.HEADER || isTerminator(first, length) || length == 0) {
            if (length > 0) {
                statusFlags = OkPacket.statusFlags(buf, index, length);
                warnings = OkPacket.warnings(buf, index, length);
                mostWarnings = Math.max(mostWarnings, warnings);
                if (first == OkPacket.HEADER) {
                    affectedRows += OkPacket.affectedRows(buf, index);
                }
            }
            state = endOfResult();
        } else if (first == LocalInfileRequest.HEADER && command == Command.QUERY) {
            state = State.LOCAL_INFILE;
        } else {
            long count = Wire.readLenEncInt(buf.slice(index, length));
            if (count <= 0) {
                throw new ProtocolException("bad column count " + count);
            }
            remaining = count;
            withColumns++;
            state = State.COLUMN_DEFS;
        }
    }

    /**
     * True when the status just read ends the columns of a result whose rows come by
     * COM_STMT_FETCH: only a COM_STMT_EXECUTE that asked for a cursor gets them so. A stored
     * program with an open cursor of its own also sets the flag on the result sets it sends (one
     * of several: more results follow), and their rows follow.
     */
    private boolean opensCursor(int status) {
        return cursorRequested && command == Command.STMT_EXECUTE && ServerStatus.has(status, ServerStatus.CURSOR_EXISTS)
                && !ServerStatus.has(status, ServerStatus.MORE_RESULTS_EXISTS);
    }

    private State afterParams() {
        remaining = preparedColumns;
        return preparedColumns > 0 ? State.PREPARE_COLUMNS : State.DONE;
    }

    private State endOfResult() {
        resultSets++;
        return ServerStatus.has(statusFlags, ServerStatus.MORE_RESULTS_EXISTS) ? State.FIRST : State.DONE;
    }

    public State state() {
        return state;
    }

    /** True once every byte of the response, including the body of its last packet, has been scanned. */
    public boolean isDone() {
        return state == State.DONE && !packetPending();
    }

    /** True between the command and the end of its response. */
    public boolean inProgress() {
        return !isDone();
    }

    /** Status flags of the last OK or EOF seen. */
    public int statusFlags() {
        return statusFlags;
    }

    public int warnings() {
        return warnings;
    }

    /**
     * The most warnings any result of the response ended with: in a text of several statements
     * an earlier one's warnings stay readable after later ones that use no table.
     */
    public int mostWarnings() {
        return mostWarnings;
    }

    /** The ERR that ended the response, or null. */
    public ErrPacket error() {
        return error;
    }

    public long affectedRows() {
        return affectedRows;
    }

    public long rows() {
        return rows;
    }

    /** True when the response opened a cursor: its rows come later, by COM_STMT_FETCH, and {@link #rows} does not count them. */
    public boolean cursorOpened() {
        return cursorOpened;
    }

    /** Results the response held: result sets and OKs (a multi-statement text or a procedure has several). */
    public int resultSets() {
        return resultSets;
    }

    /** Of those, the ones with columns (rows), not OKs. */
    public int resultSetsWithColumns() {
        return withColumns;
    }

    /** Parameters of the statement a COM_STMT_PREPARE prepared. */
    public int preparedParams() {
        return preparedParams;
    }

    /** Statement id from a COM_STMT_PREPARE reply, or -1. */
    public long preparedStatementId() {
        return preparedStatementId;
    }

    public Command command() {
        return command;
    }
}
