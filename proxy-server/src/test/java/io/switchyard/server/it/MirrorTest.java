package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.server.launcher.MariaDbServer;
import io.switchyard.testing.Await;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A rule's {@code mirror_hostgroup}: the statement runs where it is routed and the client gets
 * that result, and a copy runs on the mirror hostgroup with its result discarded.
 */
class MirrorTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(1, cluster -> """
            servers = [
              { hostgroup = 0, host = "127.0.0.1", port = %d }
              { hostgroup = 1, host = "127.0.0.1", port = %d }
            ]
            query-rules = [ { rule-id = 1, match-pattern = "^SELECT 'mirrored'", mirror-hostgroup = 1 } ]
            """.formatted(cluster.primary().port(), cluster.replicas().get(0).port()));

    private static long selects(MariaDbServer server) {
        return Long.parseLong(server.query("SHOW GLOBAL STATUS LIKE 'Com_select'").get(0).get("Value").toString());
    }

    @Test
    void matchingStatementsAlsoRunOnTheMirrorHostgroupAndTheClientSeesOnlyItsOwnResult() throws Exception {
        MariaDbServer replica = fixture.cluster().replicas().get(0);
        long before = selects(replica);
        long mirroredBefore = fixture.proxy().stats().mirroredStatements();
        try (Connection c = fixture.mysql(""); Statement s = c.createStatement()) {
            for (int i = 0; i < 20; i++) {
                try (ResultSet rs = s.executeQuery("SELECT 'mirrored', @@server_id")) {
                    rs.next();
                    assertThat(rs.getInt(2)).as("the client's result comes from its own hostgroup")
                            .isEqualTo(fixture.cluster().primary().serverId());
                }
                s.executeQuery("SELECT 'not mirrored'").close();
            }
        }
        Await.until(Duration.ofSeconds(5), "copies ran on the mirror", () -> fixture.proxy().stats().mirroredStatements() > mirroredBefore);
        long mirrored = fixture.proxy().stats().mirroredStatements() - mirroredBefore;
        long dropped = fixture.proxy().stats().mirrorDrops();
        assertThat(mirrored + dropped).isLessThanOrEqualTo(20);
        assertThat(selects(replica) - before).as("SELECTs the mirror server ran (at least the mirrored ones)").isGreaterThanOrEqualTo(mirrored);
    }
}
