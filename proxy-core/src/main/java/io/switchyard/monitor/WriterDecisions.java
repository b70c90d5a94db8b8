package io.switchyard.monitor;

import io.switchyard.backend.ServerAddress;
import java.util.Optional;

/**
 * Who decides the writer of a replication hostgroup pair. A node that runs alone decides from
 * its own read_only checks ({@link #ALONE}). In a fleet one node, elected, decides for all and
 * publishes its decision; the others follow it: a server that reports read_only=0 is their
 * writer only when it is the published one, and is fenced otherwise. Implementations are
 * thread-safe.
 */
public interface WriterDecisions {

    /** This node decides every pair itself. */
    WriterDecisions ALONE = new WriterDecisions() {
        @Override
        public Optional<Decision> follow(int writerHostgroup) {
            return Optional.empty();
        }

        @Override
        public void decided(int writerHostgroup, ServerAddress writer) {
        }
    };

    /**
     * The writer another node decided for {@code writerHostgroup}; empty when this node decides
     * it (it runs alone, is the elected node, or no decision has been published yet).
     */
    Optional<Decision> follow(int writerHostgroup);

    /** This node, deciding for {@code writerHostgroup}, placed {@code writer} there (null: no writer). */
    void decided(int writerHostgroup, ServerAddress writer);

    /** A published decision: the pair's writer, or null for none. */
    record Decision(ServerAddress writer) {}
}
