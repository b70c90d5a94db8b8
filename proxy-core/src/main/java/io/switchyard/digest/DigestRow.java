package io.switchyard.digest;

/**
 * One row of {@code stats_mysql_query_digest}: what {@link DigestStats} counted for one
 * (hostgroup, schema, user, client address, digest). Immutable; a copy taken at one moment, its
 * fields read one after another while recording may go on, so {@code sumTime} may include a
 * statement that {@code countStar} does not yet.
 *
 * @param hostgroup hostgroup the statements went to; -1 on the overflow row
 * @param schemaname schema the session was using, {@code ""} for none
 * @param username client user
 * @param clientAddress client host, or {@code ""} when client addresses are not tracked
 * @param digest {@link QueryDigest#hash()}; 0 on the overflow row
 * @param digestText {@link QueryDigest#text()}
 * @param countStar statements executed
 * @param firstSeen epoch seconds of the first
 * @param lastSeen epoch seconds of the latest
 * @param sumTime total execution time, microseconds
 * @param minTime shortest execution time, microseconds
 * @param maxTime longest execution time, microseconds
 * @param sumRowsAffected rows affected, from the OK packets
 * @param sumRowsSent rows returned to the client
 * @param errors statements that ended in an ERR packet
 */
public record DigestRow(
        int hostgroup,
        String schemaname,
        String username,
        String clientAddress,
        long digest,
        String digestText,
        long countStar,
        long firstSeen,
        long lastSeen,
        long sumTime,
        long minTime,
        long maxTime,
        long sumRowsAffected,
        long sumRowsSent,
        long errors) {

    /** {@link #digest} as ProxySQL prints it, {@code 0x%016X}. */
    public String digestHex() {
        return QueryDigest.toHex(digest);
    }

    /** True for the row that counts statements whose digest found the table full. */
    public boolean isOverflow() {
        return hostgroup == DigestStats.OVERFLOW_HOSTGROUP && digest == 0
                && DigestStats.OVERFLOW_TEXT.equals(digestText);
    }
}
