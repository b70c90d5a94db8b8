package io.switchyard.frontend.state;

import io.switchyard.backend.ConnectionState;
import io.switchyard.backend.SqlLiteral;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * How the server reads a session's statement text: in the character set of its
 * {@code character_set_client} ({@link TextCharsets}) and with the quoting of its
 * {@code sql_mode} ({@link QuoteRules}), each the session's own where its state sets it, else its
 * login's. The last value of each is kept with what it was worked out from, as the session's
 * state rarely changes between two statements.
 *
 * <p>Not thread-safe: part of one session's {@link SessionStateTracker}.
 */
final class TextReading {
    private static final String SQL_MODE = "sql_mode";

    /** The session's {@code sql_mode} and {@code character_set_client} where its state sets none, as literals: its login's. */
    private String loginSqlMode = "DEFAULT";
    private String loginCharsetClient;
    private QuoteRules quoteRules = QuoteRules.DEFAULT;
    private String quoteRulesOf = loginSqlMode;
    private Charset charset = StandardCharsets.UTF_8;
    private String charsetOf;

    /** The SQL literals of the login's {@code sql_mode} and {@code character_set_client}. */
    void login(String sqlMode, String characterSetClient) {
        loginSqlMode = sqlMode;
        loginCharsetClient = characterSetClient;
    }

    /** The character set the text of a session in {@code state} is read in. */
    Charset charset(ConnectionState state) {
        String client = state.variables().getOrDefault(SessionCollations.CHARACTER_SET_CLIENT, loginCharsetClient);
        if (client != null && !client.equals(charsetOf)) {
            charset = TextCharsets.of(SqlLiteral.name(client));
            charsetOf = client;
        }
        return charset;
    }

    /** The quoting the server reads the text of a session in {@code state} with. */
    QuoteRules quoteRules(ConnectionState state) {
        String mode = state.variables().getOrDefault(SQL_MODE, loginSqlMode);
        if (!mode.equals(quoteRulesOf)) {
            quoteRules = QuoteRules.of(mode);
            quoteRulesOf = mode;
        }
        return quoteRules;
    }
}
