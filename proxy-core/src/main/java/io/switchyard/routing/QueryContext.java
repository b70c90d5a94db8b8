package io.switchyard.routing;

import java.util.Objects;

/**
 * What the rules may look at for one statement: who sent it, from where, in which schema, and
 * the statement itself in raw and digest form.
 *
 * @param username     the client's user name
 * @param schemaname   the session's current schema, or null when it has none
 * @param clientAddr   the client's IP address as text (no port), or null when unknown (e.g. a
 *                     Unix socket); a rule's client_addr filter does not apply then, as in ProxySQL
 * @param proxyAddr    the proxy address the client connected to, or null when unknown
 * @param proxyPort    the proxy port the client connected to, or -1 when unknown
 * @param query        the statement text as the client sent it
 * @param digestText   the normalized statement (literals replaced), matched by match_digest
 * @param digest       the 64-bit hash of the digest text, compared with the digest column
 */
public record QueryContext(
        String username,
        String schemaname,
        String clientAddr,
        String proxyAddr,
        int proxyPort,
        String query,
        String digestText,
        long digest) {

    public QueryContext {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(digestText, "digestText");
    }

    /** A context without proxy listener details, the common case. */
    public static QueryContext of(String username, String schemaname, String clientAddr,
            String query, String digestText, long digest) {
        return new QueryContext(username, schemaname, clientAddr, null, -1, query, digestText, digest);
    }
}
