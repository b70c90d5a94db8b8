package io.switchyard.frontend;

import io.switchyard.backend.GtidPosition;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The newest write of any session, as the GTID positions the servers reported to sessions
 * ({@code last_gtid}): what a read must see under {@code mysql-causal_reads = global}.
 * Thread-safe.
 */
public final class WritePositions {
    private final AtomicReference<GtidPosition> newest = new AtomicReference<>(GtidPosition.EMPTY);

    /** A session's write committed with {@code gtid}. */
    void wrote(String gtid) {
        GtidPosition written = GtidPosition.parse(gtid);
        if (written.isEmpty()) {
            return;
        }
        newest.accumulateAndGet(written, GtidPosition::merge);
    }

    /** The position that covers every write reported so far. */
    public GtidPosition newest() {
        return newest.get();
    }
}
