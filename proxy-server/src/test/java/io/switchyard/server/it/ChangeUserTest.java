package io.switchyard.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchyard.server.launcher.MariaDbCluster;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A COM_CHANGE_USER the server refuses leaves the connection open, as the user it was, in the
 * schema it had, with the rest of the session started afresh (user variables, temporary tables
 * and prepared statements gone); after three refusals the server answers 1047 to the next ones.
 * Through the proxy the client sees the same, compared with a direct connection.
 */
class ChangeUserTest {
    @RegisterExtension
    static final ProxyFixture fixture = ProxyFixture.perClass(0, "");

    @Test
    void aRefusedChangeUserKeepsTheConnectionAsTheServerDoes() throws IOException {
        List<String> direct = session(fixture.cluster().primary().port());
        assertThat(direct).containsExactly(
                "refused 1045",
                "[[app@%, information_schema, null]]",
                "1146",
                "1243",
                "refused 1045", "refused 1045", "refused 1047", "refused 1047",
                "[[app@%, information_schema]]");
        assertThat(session(fixture.port())).isEqualTo(direct);
    }

    /** What a session sees around refused COM_CHANGE_USERs on {@code port}. */
    private static List<String> session(int port) throws IOException {
        List<String> seen = new ArrayList<>();
        try (RawMysqlClient client = RawMysqlClient.connect("127.0.0.1", port, Duration.ofSeconds(10))) {
            RawMysqlClient.Packet login = client.login(MariaDbCluster.APP_USER, MariaDbCluster.APP_PASSWORD, MariaDbCluster.APP_DATABASE);
            assertThat(login.type()).as("login").isEqualTo(RawMysqlClient.OK);
            client.rows("SET @kept = 'before'");
            client.rows("CREATE TEMPORARY TABLE app.scratch (a INT)");
            client.rows("PREPARE stmt FROM 'SELECT 1'");
            client.rows("USE information_schema");
            seen.add(refusal(client));
            seen.add(String.valueOf(client.rows("SELECT CURRENT_USER(), DATABASE(), @kept")));
            seen.add(errorOf(client, "SELECT * FROM app.scratch"));
            seen.add(errorOf(client, "EXECUTE stmt"));
            for (int i = 0; i < 4; i++) {
                seen.add(refusal(client));
            }
            seen.add(String.valueOf(client.rows("SELECT CURRENT_USER(), DATABASE()")));
        }
        return seen;
    }

    private static String refusal(RawMysqlClient client) throws IOException {
        RawMysqlClient.Packet answer = client.changeUser(MariaDbCluster.APP_USER, "not-the-password", MariaDbCluster.APP_DATABASE);
        return answer.isErr() ? "refused " + answer.errorCode() : "accepted";
    }

    private static String errorOf(RawMysqlClient client, String sql) {
        try {
            return "no error: " + client.rows(sql);
        } catch (IOException e) {
            return e.getMessage().split(" ", 2)[0];
        }
    }
}
