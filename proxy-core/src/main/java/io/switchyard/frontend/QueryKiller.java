package io.switchyard.frontend;

import io.switchyard.backend.ServerAddress;
import java.util.concurrent.CompletableFuture;

/**
 * Stops a statement running on a server, out of band ({@code KILL QUERY} of its thread over a
 * connection that does not carry client traffic: the health monitor's). Thread-safe.
 */
@FunctionalInterface
public interface QueryKiller {
    /** Completes when the server accepted the kill; fails when it could not be done. */
    CompletableFuture<Void> killQuery(ServerAddress server, long threadId);

    /** No out-of-band connection: every kill goes over a data-path connection instead. */
    QueryKiller NONE = (server, threadId) -> CompletableFuture.failedFuture(new IllegalStateException("no monitor"));
}
