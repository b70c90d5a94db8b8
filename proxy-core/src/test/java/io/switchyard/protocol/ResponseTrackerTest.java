package io.switchyard.protocol;

import static io.switchyard.protocol.CapturedPackets.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.switchyard.protocol.ResponseTracker.State;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ResponseTrackerTest {

    /** The capabilities of the connections the fixtures were captured on, without CLIENT_DEPRECATE_EOF. */
    private static final long CAPTURE_CAPABILITIES = Capability.CLIENT_MYSQL | Capability.CLIENT_LONG_FLAG
            | Capability.CLIENT_CONNECT_WITH_DB | Capability.CLIENT_LOCAL_FILES | Capability.CLIENT_PROTOCOL_41
            | Capability.CLIENT_TRANSACTIONS | Capability.CLIENT_SECURE_CONNECTION
            | Capability.CLIENT_MULTI_STATEMENTS | Capability.CLIENT_MULTI_RESULTS
            | Capability.CLIENT_PS_MULTI_RESULTS | Capability.CLIENT_PLUGIN_AUTH
            | Capability.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA | Capability.CLIENT_SESSION_TRACK;

    /** The next response on the wire: it must never be counted as part of the one being tracked. */
    private static final byte[] NEXT_RESPONSE = bytes(CapturedPackets.EOF_PING);

    private static final int AUTOCOMMIT = ServerStatus.AUTOCOMMIT;
    private static final int MORE_RESULTS = ServerStatus.AUTOCOMMIT | ServerStatus.MORE_RESULTS_EXISTS;

    /**
     * What the tracker must report after one captured response.
     *
     * @param statusFlags expected status flags, or null when the response carries none the tracker reads
     */
    record Expected(String name, Command command, String hex, boolean deprecateEof, State end,
                    Integer statusFlags, int resultSets, long rows, int warnings, long affectedRows,
                    Integer errorCode, long statementId) {
        @Override
        public String toString() {
            return name + (deprecateEof ? " (CLIENT_DEPRECATE_EOF)" : " (EOF)");
        }
    }

    /** How the response reaches the tracker: sizes of successive reads. */
    enum Feeding {
        WHOLE, BYTE_BY_BYTE, RANDOM_CHUNKS_SEED_7, RANDOM_CHUNKS_SEED_42, RANDOM_CHUNKS_SEED_2024;

        List<Integer> chunks(int total) {
            List<Integer> sizes = new ArrayList<>();
            switch (this) {
                case WHOLE -> sizes.add(total);
                case BYTE_BY_BYTE -> {
                    for (int i = 0; i < total; i++) {
                        sizes.add(1);
                    }
                }
                default -> {
                    Random random = new Random(Long.parseLong(name().substring(name().lastIndexOf('_') + 1)));
                    int left = total;
                    while (left > 0) {
                        int n = Math.min(left, 1 + random.nextInt(40));
                        sizes.add(n);
                        left -= n;
                    }
                }
            }
            return sizes;
        }
    }

    static Stream<Expected> capturedResponses() {
        return Stream.of(false, true).flatMap(deprecateEof -> Stream.of(
                expect("SELECT 1", Command.QUERY, deprecateEof ? CapturedPackets.DEPRECATE_EOF_SELECT_1 : CapturedPackets.EOF_SELECT_1,
                        deprecateEof, State.DONE, AUTOCOMMIT, 1, 1, 0, 0, null, -1),
                expect("multi-statement", Command.QUERY, deprecateEof ? CapturedPackets.DEPRECATE_EOF_MULTI : CapturedPackets.EOF_MULTI,
                        deprecateEof, State.DONE, AUTOCOMMIT, 3, 2, 0, 0, null, -1),
                expect("NULLs in twelve columns", Command.QUERY, deprecateEof ? CapturedPackets.DEPRECATE_EOF_NULLS : CapturedPackets.EOF_NULLS,
                        deprecateEof, State.DONE, AUTOCOMMIT, 1, 2, 0, 0, null, -1),
                expect("result with a warning", Command.QUERY, deprecateEof ? CapturedPackets.DEPRECATE_EOF_WARNINGS : CapturedPackets.EOF_WARNINGS,
                        deprecateEof, State.DONE, AUTOCOMMIT, 1, 1, 1, 0, null, -1),
                expect("error", Command.QUERY, deprecateEof ? CapturedPackets.DEPRECATE_EOF_ERROR : CapturedPackets.EOF_ERROR,
                        deprecateEof, State.DONE, null, 0, 0, 0, 0, 1146, -1),
                expect("INSERT", Command.QUERY, deprecateEof ? CapturedPackets.DEPRECATE_EOF_INSERT : CapturedPackets.EOF_INSERT,
                        deprecateEof, State.DONE, AUTOCOMMIT, 1, 0, 0, 2, null, -1),
                expect("COM_STMT_PREPARE", Command.STMT_PREPARE, deprecateEof ? CapturedPackets.DEPRECATE_EOF_PREPARE : CapturedPackets.EOF_PREPARE,
                        deprecateEof, State.DONE, null, 0, 0, 0, 0, null, deprecateEof ? 3 : 2),
                expect("COM_STMT_EXECUTE", Command.STMT_EXECUTE, deprecateEof ? CapturedPackets.DEPRECATE_EOF_EXECUTE : CapturedPackets.EOF_EXECUTE,
                        deprecateEof, State.DONE, AUTOCOMMIT, 1, 1, 0, 0, null, -1),
                // COM_FIELD_LIST has no column count: its column definitions are counted as rows.
                expect("COM_FIELD_LIST", Command.FIELD_LIST, deprecateEof ? CapturedPackets.DEPRECATE_EOF_FIELD_LIST : CapturedPackets.EOF_FIELD_LIST,
                        deprecateEof, State.DONE, AUTOCOMMIT, 1, 3, 0, 0, null, -1),
                expect("COM_STATISTICS", Command.STATISTICS, deprecateEof ? CapturedPackets.DEPRECATE_EOF_STATISTICS : CapturedPackets.EOF_STATISTICS,
                        deprecateEof, State.DONE, null, 0, 0, 0, 0, null, -1),
                expect("COM_PING", Command.PING, deprecateEof ? CapturedPackets.DEPRECATE_EOF_PING : CapturedPackets.EOF_PING,
                        deprecateEof, State.DONE, AUTOCOMMIT, 1, 0, 0, 0, null, -1),
                expect("LOAD DATA LOCAL INFILE request", Command.QUERY,
                        deprecateEof ? CapturedPackets.DEPRECATE_EOF_LOCAL_INFILE : CapturedPackets.EOF_LOCAL_INFILE,
                        deprecateEof, State.LOCAL_INFILE, null, 0, 0, 0, 0, null, -1),
                expect("CALL with two result sets", Command.QUERY, deprecateEof ? CapturedPackets.DEPRECATE_EOF_CALL : CapturedPackets.EOF_CALL,
                        deprecateEof, State.DONE, AUTOCOMMIT, 3, 3, 0, 0, null, -1)));
    }

    private static Expected expect(String name, Command command, String hex, boolean deprecateEof, State end,
                                   Integer statusFlags, int resultSets, long rows, int warnings, long affectedRows,
                                   Integer errorCode, long statementId) {
        return new Expected(name, command, hex, deprecateEof, end, statusFlags, resultSets, rows, warnings,
                affectedRows, errorCode, statementId);
    }

    static Stream<Arguments> capturedResponsesFedInEveryWay() {
        return capturedResponses().flatMap(e -> Arrays.stream(Feeding.values()).map(f -> Arguments.of(e, f)));
    }

    @ParameterizedTest(name = "{0} fed {1}")
    @MethodSource("capturedResponsesFedInEveryWay")
    void capturedResponseIsForwardedWholeAndNothingOfTheNext(Expected expected, Feeding feeding) {
        // given a tracker following the captured command, and the next response right behind it
        ResponseTracker tracker = tracking(expected.command(), expected.deprecateEof());
        byte[] response = bytes(expected.hex());
        byte[] wire = concat(response, NEXT_RESPONSE);

        // when the bytes arrive in the given reads
        long forwarded = feed(tracker, wire, feeding.chunks(wire.length));

        // then exactly the response is forwardable and the tracker reports what the server said
        assertThat(forwarded).isEqualTo(response.length);
        assertThat(tracker.state()).isEqualTo(expected.end());
        if (expected.statusFlags() != null) {
            assertThat(tracker.statusFlags()).as("status flags").isEqualTo(expected.statusFlags());
        }
        assertThat(tracker.resultSets()).as("result sets").isEqualTo(expected.resultSets());
        assertThat(tracker.rows()).as("rows").isEqualTo(expected.rows());
        assertThat(tracker.warnings()).as("warnings").isEqualTo(expected.warnings());
        assertThat(tracker.affectedRows()).as("affected rows").isEqualTo(expected.affectedRows());
        assertThat(tracker.preparedStatementId()).as("statement id").isEqualTo(expected.statementId());
        if (expected.errorCode() == null) {
            assertThat(tracker.error()).isNull();
        } else {
            assertThat(tracker.error()).isNotNull();
            assertThat(tracker.error().code()).isEqualTo(expected.errorCode());
        }
    }

    @ParameterizedTest(name = "CLIENT_DEPRECATE_EOF={0}")
    @ValueSource(booleans = {false, true})
    void errorReportsCodeSqlStateAndMessage(boolean deprecateEof) {
        ResponseTracker tracker = tracking(Command.QUERY, deprecateEof);
        byte[] response = bytes(deprecateEof ? CapturedPackets.DEPRECATE_EOF_ERROR : CapturedPackets.EOF_ERROR);

        feed(tracker, response, List.of(response.length));

        assertThat(tracker.error()).isEqualTo(new ErrPacket(1146, "42S02", "Table 'test.no_such_table' doesn't exist"));
    }

    @ParameterizedTest(name = "CLIENT_DEPRECATE_EOF={0}")
    @ValueSource(booleans = {false, true})
    void intermediateResultsOfAMultiStatementCarryMoreResultsExists(boolean deprecateEof) {
        // given the first result set of the multi-statement capture, cut before the second
        byte[] multi = bytes(deprecateEof ? CapturedPackets.DEPRECATE_EOF_MULTI : CapturedPackets.EOF_MULTI);
        int firstResultEnd = packetEnd(multi, deprecateEof ? 4 : 5);
        ResponseTracker tracker = tracking(Command.QUERY, deprecateEof);

        // when only that result has arrived
        long forwarded = feed(tracker, Arrays.copyOf(multi, firstResultEnd), List.of(firstResultEnd));

        // then it is all forwardable and the tracker waits for the next result
        assertThat(forwarded).isEqualTo(firstResultEnd);
        assertThat(tracker.state()).isEqualTo(State.FIRST);
        assertThat(tracker.inProgress()).isTrue();
        assertThat(tracker.statusFlags()).isEqualTo(MORE_RESULTS);
        assertThat(tracker.resultSets()).isEqualTo(1);
    }

    @ParameterizedTest(name = "CLIENT_DEPRECATE_EOF={0}")
    @ValueSource(booleans = {false, true})
    void localInfileResponseEndsWithTheOkAfterTheClientSentItsFile(boolean deprecateEof) {
        // given a tracker that stopped at the server's file request
        ResponseTracker tracker = tracking(Command.QUERY, deprecateEof);
        byte[] request = bytes(deprecateEof ? CapturedPackets.DEPRECATE_EOF_LOCAL_INFILE : CapturedPackets.EOF_LOCAL_INFILE);
        assertThat(feed(tracker, request, List.of(request.length))).isEqualTo(request.length);
        assertThat(tracker.state()).isEqualTo(State.LOCAL_INFILE);
        assertThat(tracker.inProgress()).isTrue();

        // when the client has sent its file and the server answers
        tracker.localInfileSent();
        byte[] ok = bytes(deprecateEof ? CapturedPackets.DEPRECATE_EOF_LOCAL_INFILE_DONE : CapturedPackets.EOF_LOCAL_INFILE_DONE);
        long forwarded = feed(tracker, concat(ok, NEXT_RESPONSE), Feeding.BYTE_BY_BYTE.chunks(ok.length + NEXT_RESPONSE.length));

        // then the server's OK ends the response
        assertThat(forwarded).isEqualTo(ok.length);
        assertThat(tracker.isDone()).isTrue();
        assertThat(tracker.affectedRows()).isEqualTo(2);
        assertThat(tracker.statusFlags()).isEqualTo(AUTOCOMMIT);
    }

    @Test
    void prepareReplyUnderDeprecateEofIsNotDoneUntilItsLastColumnHasPassed() {
        // given a prepare reply without EOF packets, so that it ends with a streamed column definition
        byte[] reply = bytes(CapturedPackets.DEPRECATE_EOF_PREPARE);
        ResponseTracker tracker = tracking(Command.STMT_PREPARE, true);
        int cut = reply.length - 10;

        // when all but the last ten bytes have arrived
        long forwarded = feed(tracker, Arrays.copyOf(reply, cut), List.of(cut));

        // then those are forwardable but the response is not over
        assertThat(forwarded).isEqualTo(cut);
        assertThat(tracker.isDone()).isFalse();
        assertThat(tracker.inProgress()).isTrue();

        // and when the rest arrives, with the next response behind it, exactly the rest is forwardable
        byte[] rest = concat(Arrays.copyOfRange(reply, cut, reply.length), NEXT_RESPONSE);
        assertThat(feed(tracker, rest, List.of(rest.length))).isEqualTo(10);
        assertThat(tracker.isDone()).isTrue();
    }

    @Test
    void localInfileSentWithoutAPendingRequestIsRejected() {
        ResponseTracker tracker = tracking(Command.QUERY, false);

        assertThatIllegalStateException().isThrownBy(tracker::localInfileSent);
    }

    @Test
    void trackerIsIdleUntilACommandBegins() {
        ResponseTracker tracker = new ResponseTracker();
        ByteBuf stray = Unpooled.wrappedBuffer(NEXT_RESPONSE);
        try {
            assertThat(tracker.isDone()).isTrue();
            assertThat(tracker.scan(stray)).isZero();
        } finally {
            stray.release();
        }
    }

    @ParameterizedTest(name = "CLIENT_DEPRECATE_EOF={0}")
    @ValueSource(booleans = {false, true})
    void rowLargerThan16MibIsStreamedBeforeItIsComplete(boolean deprecateEof) {
        // given the column count and definition of SELECT 1, then one text row of 16 MiB + 4 bytes
        // split into a 0xFFFFFF frame and a continuation that happens to look like an EOF packet
        byte[] select1 = bytes(deprecateEof ? CapturedPackets.DEPRECATE_EOF_SELECT_1 : CapturedPackets.EOF_SELECT_1);
        int metadataPackets = deprecateEof ? 2 : 3;
        byte[] metadata = Arrays.copyOf(select1, packetEnd(select1, metadataPackets));
        byte[] row = hugeTextRow();
        byte[] rowFrames = frame(row, metadataPackets + 1);
        int terminatorSeq = metadataPackets + 1 + 2;
        byte[] terminator = deprecateEof
                ? packet(terminatorSeq, 0xfe, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00)
                : packet(terminatorSeq, 0xfe, 0x00, 0x00, 0x02, 0x00);
        byte[] wire = concat(concat(metadata, rowFrames), terminator);
        assertThat(rowFrames).hasSize(Wire.MAX_PAYLOAD + 5 + 2 * Wire.HEADER_SIZE);

        ResponseTracker tracker = tracking(Command.QUERY, deprecateEof);
        ByteBuf pending = Unpooled.buffer();
        try {
            // when the metadata and the first kilobyte of the row have arrived
            int firstRead = metadata.length + Wire.HEADER_SIZE + 1024;
            pending.writeBytes(wire, 0, firstRead);
            int n = tracker.scan(pending);

            // then all of it is forwardable already
            assertThat(n).isEqualTo(firstRead);
            assertThat(tracker.state()).isEqualTo(State.ROWS);
            pending.skipBytes(n).discardReadBytes();

            // and the rest streams through in 1 MiB reads up to the end of the response
            long forwarded = n;
            for (int offset = firstRead; offset < wire.length; offset += 1 << 20) {
                pending.writeBytes(wire, offset, Math.min(1 << 20, wire.length - offset));
                int m = tracker.scan(pending);
                pending.skipBytes(m).discardReadBytes();
                forwarded += m;
            }
            assertThat(forwarded).isEqualTo(wire.length);
            assertThat(pending.readableBytes()).isZero();
        } finally {
            pending.release();
        }
        assertThat(tracker.isDone()).isTrue();
        assertThat(tracker.rows()).isEqualTo(1);
        assertThat(tracker.resultSets()).isEqualTo(1);
        assertThat(tracker.statusFlags()).isEqualTo(AUTOCOMMIT);
    }

    @ParameterizedTest(name = "CLIENT_DEPRECATE_EOF={0}")
    @ValueSource(booleans = {false, true})
    void errorBetweenRowsEndsTheResponse(boolean deprecateEof) {
        // given the twelve-column capture cut after its first row, then an ERR, then the rest
        byte[] nulls = bytes(deprecateEof ? CapturedPackets.DEPRECATE_EOF_NULLS : CapturedPackets.EOF_NULLS);
        int firstRowEnd = packetEnd(nulls, deprecateEof ? 14 : 15);
        byte[] err = encodedErr(sequenceIdAfter(nulls, firstRowEnd),
                new ErrPacket(1317, "70100", "Query execution was interrupted"));
        byte[] wire = concat(concat(Arrays.copyOf(nulls, firstRowEnd), err),
                Arrays.copyOfRange(nulls, firstRowEnd, nulls.length));

        for (Feeding feeding : Feeding.values()) {
            ResponseTracker tracker = tracking(Command.QUERY, deprecateEof);

            // when it arrives
            long forwarded = feed(tracker, wire, feeding.chunks(wire.length));

            // then the response ends with the ERR and nothing after it is forwarded
            assertThat(forwarded).as(feeding.name()).isEqualTo(firstRowEnd + err.length);
            assertThat(tracker.isDone()).isTrue();
            assertThat(tracker.rows()).isEqualTo(1);
            assertThat(tracker.error()).isEqualTo(new ErrPacket(1317, "70100", "Query execution was interrupted"));
        }
    }

    @Test
    void beginForgetsThePreviousResponse() {
        // given a tracker that followed an error
        ResponseTracker tracker = tracking(Command.QUERY, false);
        byte[] error = bytes(CapturedPackets.EOF_ERROR);
        feed(tracker, error, List.of(error.length));
        assertThat(tracker.error()).isNotNull();

        // when it follows the next command
        tracker.begin(Command.PING, CAPTURE_CAPABILITIES);
        byte[] ping = bytes(CapturedPackets.EOF_PING);
        feed(tracker, ping, List.of(ping.length));

        // then nothing of the first response remains
        assertThat(tracker.error()).isNull();
        assertThat(tracker.command()).isEqualTo(Command.PING);
        assertThat(tracker.resultSets()).isEqualTo(1);
        assertThat(tracker.isDone()).isTrue();
    }

    @Test
    void aStoredProgramsResultWithItsOwnOpenCursorStillSendsItsRows() {
        // given SELECT 1's response whose column EOF carries SERVER_STATUS_CURSOR_EXISTS, as a
        // procedure looping over a cursor sends it
        byte[] wire = bytes(CapturedPackets.EOF_SELECT_1);
        int statusAt = packetEnd(wire, 2) + Wire.HEADER_SIZE + 3;
        wire[statusAt] |= (byte) ServerStatus.CURSOR_EXISTS;

        ResponseTracker query = tracking(Command.QUERY, false);
        assertThat(feed(query, wire, List.of(wire.length))).isEqualTo(wire.length);
        assertThat(query.isDone()).isTrue();
        assertThat(query.rows()).isEqualTo(1);
        assertThat(query.cursorOpened()).isFalse();

        // while a COM_STMT_EXECUTE that asked for a cursor ends at the column EOF: rows come by COM_STMT_FETCH
        ResponseTracker execute = new ResponseTracker();
        execute.begin(Command.STMT_EXECUTE, CAPTURE_CAPABILITIES, false, true);
        int columnsEnd = packetEnd(wire, 3);
        assertThat(feed(execute, Arrays.copyOf(wire, columnsEnd), List.of(columnsEnd))).isEqualTo(columnsEnd);
        assertThat(execute.isDone()).isTrue();
        assertThat(execute.cursorOpened()).as("its rows are not counted").isTrue();
        execute.begin(Command.STMT_EXECUTE, CAPTURE_CAPABILITIES, false, true);
        assertThat(execute.cursorOpened()).as("a new command").isFalse();
    }

    @Test
    void withoutAColumnEofACursorIsSeenAtTheStatusPacketAfterTheColumns() {
        // given SELECT 1's response with CLIENT_DEPRECATE_EOF cut to what an execution that opens
        // a cursor sends: the column count, the column definition, then the status packet, which
        // carries SERVER_STATUS_CURSOR_EXISTS
        byte[] full = bytes(CapturedPackets.DEPRECATE_EOF_SELECT_1);
        int columnsEnd = packetEnd(full, 2);
        byte[] status = Arrays.copyOfRange(full, packetEnd(full, 3), full.length);
        status[Wire.HEADER_SIZE + 3] |= (byte) ServerStatus.CURSOR_EXISTS;
        byte[] wire = Arrays.copyOf(full, columnsEnd + status.length);
        System.arraycopy(status, 0, wire, columnsEnd, status.length);

        ResponseTracker execute = new ResponseTracker();
        execute.begin(Command.STMT_EXECUTE, CAPTURE_CAPABILITIES | Capability.CLIENT_DEPRECATE_EOF, false, true);
        assertThat(feed(execute, wire, List.of(wire.length))).isEqualTo(wire.length);
        assertThat(execute.isDone()).isTrue();
        assertThat(execute.rows()).isZero();
        assertThat(execute.cursorOpened()).isTrue();

        // and the same packets as a text query's (no cursor asked for): a result of no row
        ResponseTracker query = tracking(Command.QUERY, true);
        assertThat(feed(query, wire, List.of(wire.length))).isEqualTo(wire.length);
        assertThat(query.cursorOpened()).isFalse();
    }

    @ParameterizedTest(name = "CLIENT_DEPRECATE_EOF={0}")
    @ValueSource(booleans = {false, true})
    void isolatedStatusPacketsComeOneScanAtATime(boolean deprecateEof) {
        byte[] wire = bytes(deprecateEof ? CapturedPackets.DEPRECATE_EOF_MULTI : CapturedPackets.EOF_MULTI);
        ResponseTracker tracker = new ResponseTracker();
        tracker.begin(Command.QUERY, deprecateEof ? CAPTURE_CAPABILITIES | Capability.CLIENT_DEPRECATE_EOF : CAPTURE_CAPABILITIES, true);
        ByteBuf in = Unpooled.wrappedBuffer(wire);
        List<Integer> statusHeaders = new ArrayList<>();
        while (in.isReadable()) {
            int n = tracker.scan(in);
            assertThat(n).isPositive();
            if (tracker.endedWithStatusPacket()) {
                assertThat(n).isEqualTo(Wire.HEADER_SIZE + Wire.payloadLength(in, in.readerIndex()));
                statusHeaders.add((int) in.getUnsignedByte(in.readerIndex() + Wire.HEADER_SIZE));
            }
            in.skipBytes(n);
        }
        assertThat(tracker.isDone()).isTrue();
        // two result sets, each ending with an EOF (a 0xFE OK under CLIENT_DEPRECATE_EOF, where no
        // EOF ends the columns either), then the OK of DO 1
        int eof = OkPacket.EOF_HEADER;
        assertThat(statusHeaders).containsExactlyElementsOf(deprecateEof ? List.of(eof, eof, OkPacket.HEADER)
                : List.of(eof, eof, eof, eof, OkPacket.HEADER));
    }

    @Test
    void withMetadataIsolatedAnExecutionsColumnCountAndDefinitionsComeAloneAndLaterPacketsCanBeRenumbered() {
        byte[] wire = concat(concat(concat(packet(1, 2), packet(2, 3, 'd', 'e', 'f')), concat(packet(3, 3, 'd', 'e', 'f'),
                packet(4, 0, 0, 1, 'x'))), packet(5, 0xfe, 0, 0, 2, 0, 0, 0));
        ResponseTracker tracker = new ResponseTracker();
        tracker.begin(Command.STMT_EXECUTE, CAPTURE_CAPABILITIES | Capability.CLIENT_DEPRECATE_EOF, false, false, true);
        ByteBuf buf = Unpooled.wrappedBuffer(wire);

        int metadata = tracker.scan(buf);
        assertThat(metadata).isEqualTo(packetEnd(wire, 3));
        assertThat(tracker.endedWithMetadata()).isTrue();
        assertThat(tracker.metadataColumns()).isEqualTo(2);
        buf.skipBytes(metadata);
        tracker.dropped(2);

        assertThat(tracker.scan(buf)).isEqualTo(buf.readableBytes());
        assertThat(tracker.endedWithMetadata()).isFalse();
        assertThat(tracker.isDone()).isTrue();
        assertThat((int) buf.getUnsignedByte(buf.readerIndex() + 3)).as("the row follows the column count").isEqualTo(2);
        assertThat((int) buf.getUnsignedByte(packetEnd(wire, 4) + 3)).isEqualTo(3);
    }

    @Test
    void withMetadataIsolatedATextResultsColumnCountComesAlone() {
        byte[] wire = concat(concat(packet(1, 1), packet(2, 3, 'd', 'e', 'f')), concat(packet(3, 1, 'x'),
                packet(4, 0xfe, 0, 0, 2, 0, 0, 0)));
        ResponseTracker tracker = new ResponseTracker();
        tracker.begin(Command.QUERY, CAPTURE_CAPABILITIES | Capability.CLIENT_DEPRECATE_EOF, false, false, true);
        ByteBuf buf = Unpooled.wrappedBuffer(wire);

        int count = tracker.scan(buf);
        assertThat(count).isEqualTo(packetEnd(wire, 1));
        assertThat(tracker.endedWithMetadata()).isTrue();
        assertThat(tracker.metadataColumns()).isZero();
        buf.skipBytes(count);
        assertThat(tracker.scan(buf)).isEqualTo(buf.readableBytes());
        assertThat(tracker.isDone()).isTrue();
        assertThat((int) buf.getUnsignedByte(buf.readerIndex() + 3)).as("nothing dropped, nothing renumbered").isEqualTo(2);
    }

    private static ResponseTracker tracking(Command command, boolean deprecateEof) {
        ResponseTracker tracker = new ResponseTracker();
        tracker.begin(command, deprecateEof ? CAPTURE_CAPABILITIES | Capability.CLIENT_DEPRECATE_EOF : CAPTURE_CAPABILITIES);
        return tracker;
    }

    /**
     * Feeds {@code wire} in reads of the given sizes the way a relay does: after each read, scans,
     * forwards (drops) what the tracker allows and keeps the rest. Returns the bytes forwarded.
     */
    private static long feed(ResponseTracker tracker, byte[] wire, List<Integer> chunks) {
        ByteBuf pending = Unpooled.buffer();
        try {
            long forwarded = 0;
            int offset = 0;
            for (int size : chunks) {
                pending.writeBytes(wire, offset, size);
                offset += size;
                int readerIndex = pending.readerIndex();
                int n = tracker.scan(pending);
                assertThat(pending.readerIndex()).as("scan leaves the reader index").isEqualTo(readerIndex);
                assertThat(n).isBetween(0, pending.readableBytes());
                pending.skipBytes(n).discardReadBytes();
                forwarded += n;
            }
            return forwarded;
        } finally {
            pending.release();
        }
    }

    /** Offset just past the first {@code packets} packets of {@code wire}. */
    private static int packetEnd(byte[] wire, int packets) {
        int pos = 0;
        for (int i = 0; i < packets; i++) {
            int length = (wire[pos] & 0xff) | (wire[pos + 1] & 0xff) << 8 | (wire[pos + 2] & 0xff) << 16;
            pos += Wire.HEADER_SIZE + length;
        }
        return pos;
    }

    /** The sequence id the packet at {@code offset} has (the one a packet inserted there takes). */
    private static int sequenceIdAfter(byte[] wire, int offset) {
        return wire[offset + 3] & 0xff;
    }

    /** A text row of one string column whose payload is 16 MiB + 4 bytes; its last 5 bytes look like an EOF. */
    private static byte[] hugeTextRow() {
        byte[] row = new byte[Wire.MAX_PAYLOAD + 5];
        long valueLength = row.length - 9;
        row[0] = (byte) 0xfe;
        for (int i = 0; i < 8; i++) {
            row[1 + i] = (byte) (valueLength >>> (8 * i));
        }
        Arrays.fill(row, 9, row.length, (byte) 'x');
        byte[] eofLookalike = {(byte) 0xfe, 0, 0, 2, 0};
        System.arraycopy(eofLookalike, 0, row, row.length - 5, 5);
        return row;
    }

    static byte[] frame(byte[] payload, int sequenceId) {
        ByteBuf in = Unpooled.wrappedBuffer(payload);
        ByteBuf framed = Packets.split(ByteBufAllocator.DEFAULT, in, sequenceId);
        try {
            byte[] out = new byte[framed.readableBytes()];
            framed.readBytes(out);
            return out;
        } finally {
            framed.release();
            in.release();
        }
    }

    private static byte[] encodedErr(int sequenceId, ErrPacket err) {
        ByteBuf buf = Packets.err(ByteBufAllocator.DEFAULT, sequenceId, err);
        try {
            byte[] out = new byte[buf.readableBytes()];
            buf.readBytes(out);
            return out;
        } finally {
            buf.release();
        }
    }

    static byte[] packet(int sequenceId, int... payload) {
        byte[] out = new byte[Wire.HEADER_SIZE + payload.length];
        out[0] = (byte) payload.length;
        out[3] = (byte) sequenceId;
        for (int i = 0; i < payload.length; i++) {
            out[Wire.HEADER_SIZE + i] = (byte) payload[i];
        }
        return out;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
