package io.switchyard.frontend;

/**
 * The parts of one client session that its command handlers ({@link QueryCommands},
 * {@link PreparedCommands}) work with: the shared context, who the session is, where its
 * statements go, what it is doing, its backend side, and the session to answer through.
 *
 * <p>The parts are confined to the session's event loop (see each).
 */
record SessionParts(FrontendContext context, SessionInfo info, StatementRouting routing, SessionActivity activity,
                    BackendSide backend, SessionControl session) {
}
