package io.switchyard.backend;

import java.util.Map;
import java.util.TreeMap;

/**
 * A MariaDB GTID position: for each replication domain the highest sequence number reached, as
 * {@code @@gtid_current_pos} or {@code @@last_gtid} print it ({@code domain-server-sequence},
 * comma-separated). One position covers another when it has reached every domain's sequence
 * number of the other. Immutable.
 */
public final class GtidPosition {
    public static final GtidPosition EMPTY = new GtidPosition(Map.of());

    /** Domain → the GTID ({@code domain-server-sequence}) with the highest sequence number. */
    private final Map<Long, long[]> domains;

    private GtidPosition(Map<Long, long[]> domains) {
        this.domains = domains;
    }

    /** Parses {@code text}; an empty or null text is the empty position, a malformed GTID is skipped. */
    public static GtidPosition parse(String text) {
        if (text == null || text.isBlank()) {
            return EMPTY;
        }
        Map<Long, long[]> out = new TreeMap<>();
        for (String gtid : text.split(",")) {
            String[] parts = gtid.trim().split("-");
            if (parts.length != 3) {
                continue;
            }
            try {
                long domain = Long.parseLong(parts[0]);
                long server = Long.parseLong(parts[1]);
                long seq = Long.parseLong(parts[2]);
                long[] known = out.get(domain);
                if (known == null || known[1] < seq) {
                    out.put(domain, new long[] {server, seq});
                }
            } catch (NumberFormatException e) {
                // Not a GTID: skipped.
            }
        }
        return out.isEmpty() ? EMPTY : new GtidPosition(Map.copyOf(out));
    }

    public boolean isEmpty() {
        return domains.isEmpty();
    }

    /** True when this position has reached every domain's sequence number of {@code other}. */
    public boolean covers(GtidPosition other) {
        for (Map.Entry<Long, long[]> e : other.domains.entrySet()) {
            long[] mine = domains.get(e.getKey());
            if (mine == null || mine[1] < e.getValue()[1]) {
                return false;
            }
        }
        return true;
    }

    /** The position that covers both: per domain the higher sequence number. */
    public GtidPosition merge(GtidPosition other) {
        if (other.isEmpty() || covers(other)) {
            return this;
        }
        if (isEmpty() || other.covers(this)) {
            return other;
        }
        Map<Long, long[]> out = new TreeMap<>(domains);
        other.domains.forEach((domain, gtid) -> out.merge(domain, gtid, (a, b) -> a[1] >= b[1] ? a : b));
        return new GtidPosition(Map.copyOf(out));
    }

    /** As MariaDB prints it, domains in order: the argument {@code MASTER_GTID_WAIT} takes. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        new TreeMap<>(domains).forEach((domain, gtid) -> {
            if (!b.isEmpty()) {
                b.append(',');
            }
            b.append(domain).append('-').append(gtid[0]).append('-').append(gtid[1]);
        });
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GtidPosition p && p.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }
}
