package io.switchyard.frontend.state;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a statement means for a read-only transaction that runs on a replica: whether it starts
 * one, and, inside one, whether it may run there.
 *
 * <p>A read-only transaction changes nothing on the server, so running it on a replica differs
 * from running it on the primary only in the data it reads (as any read sent to a replica) and
 * in what a replica does differently from a primary. MariaDB checks {@code read_only} before the
 * transaction's own access mode, so a write there fails with 1290 instead of 1792 (the proxy
 * answers 1792, as the primary does), and it lets {@code SELECT ... FOR UPDATE} through where
 * the primary refuses it. Statements whose effect outlives the statement on the connection (user
 * variables, temporary tables, advisory locks, stored programs, prepared statements, ...) would
 * tie the session to the replica after the transaction; those, and locking reads, make the
 * transaction move to the primary ({@link Inside#MOVE}). Statements that commit implicitly end
 * the transaction as they would directly and then run where they would without it.
 *
 * <p>Stateless; thread-safe.
 */
public final class ReadOnlyTransactions {

    /** How a statement starts a transaction, if it does. */
    public enum Start {
        /** It does not start one (or several statements are sent together). */
        NONE,
        /** {@code START TRANSACTION ... READ ONLY}. */
        READ_ONLY,
        /** {@code START TRANSACTION ... READ WRITE}. */
        READ_WRITE,
        /** {@code BEGIN} or {@code START TRANSACTION} without an access mode: the session's decides. */
        SESSION_MODE
    }

    /** What a statement inside a read-only transaction on a replica does to it. */
    public enum Inside {
        /** Runs on the replica, in the transaction (reads, {@code SET}, savepoints, writes that fail). */
        STAYS,
        /** Ends it on the replica: {@code COMMIT}, {@code ROLLBACK}. */
        ENDS,
        /** Commits it implicitly, then runs outside it (DDL, {@code BEGIN}, {@code LOCK TABLES}, ...). */
        COMMITS_FIRST,
        /** Needs the primary: the transaction moves there before the statement runs. */
        MOVE
    }

    /** Statements that read and leave nothing on the connection beyond what the server reports. */
    private static final Set<String> READS = Set.of("SELECT", "WITH", "VALUES", "TABLE", "SHOW", "DESCRIBE", "DESC",
            "EXPLAIN", "DO", "SET", "SAVEPOINT", "RELEASE", "HELP", "CHECKSUM", "UNLOCK");
    /** Writes: they fail in a read-only transaction (1792), on a replica first for read_only (1290). */
    private static final Set<String> WRITES = Set.of("INSERT", "UPDATE", "DELETE", "REPLACE");
    /** Statements that end the transaction before they run (MariaDB's implicit commits). */
    private static final Set<String> IMPLICIT_COMMIT = Set.of("BEGIN", "START", "CREATE", "ALTER", "DROP", "RENAME",
            "TRUNCATE", "LOCK", "GRANT", "REVOKE", "ANALYZE", "CHECK", "OPTIMIZE", "REPAIR", "CACHE", "FLUSH", "RESET",
            "INSTALL", "UNINSTALL", "CHANGE", "STOP");

    private ReadOnlyTransactions() {
    }

    /** How {@code sql} starts a transaction, if it is one statement that does. */
    public static Start start(String sql) {
        if (!startsWithWord(sql, "BEGIN") && !startsWithWord(sql, "START")) {
            return Start.NONE;
        }
        List<SqlToken> t = single(sql);
        if (t == null || t.isEmpty()) {
            return Start.NONE;
        }
        int i;
        if (t.get(0).isWord("BEGIN")) {
            i = 1;
            if (i < t.size() && t.get(i).isWord("WORK")) {
                i++;
            }
            return i == t.size() ? Start.SESSION_MODE : Start.NONE;
        }
        if (!t.get(0).isWord("START") || t.size() < 2 || !t.get(1).isWord("TRANSACTION")) {
            return Start.NONE;
        }
        Start mode = Start.SESSION_MODE;
        for (i = 2; i < t.size(); i++) {
            SqlToken token = t.get(i);
            if (token.isWord("READ") && i + 1 < t.size()) {
                if (t.get(i + 1).isWord("ONLY")) {
                    mode = Start.READ_ONLY;
                } else if (t.get(i + 1).isWord("WRITE")) {
                    return Start.READ_WRITE;
                }
            }
        }
        return mode;
    }

    /** What {@code sql} does to a read-only transaction on a replica; {@code traits} are its traits. */
    public static Inside inside(String sql, StatementTraits traits) {
        List<SqlToken> t = single(sql);
        if (t == null || t.isEmpty() || t.get(0).kind() != SqlToken.Kind.WORD) {
            return Inside.MOVE;
        }
        String verb = t.get(0).text().toUpperCase(Locale.ROOT);
        if (verb.equals("COMMIT")) {
            return Inside.ENDS;
        }
        if (verb.equals("ROLLBACK")) {
            return t.size() > 1 && t.get(1).isWord("TO") ? Inside.STAYS : Inside.ENDS;
        }
        boolean temporary = false;
        for (int i = 1; i < Math.min(4, t.size()); i++) {
            temporary |= t.get(i).isWord("TEMPORARY");
        }
        if (IMPLICIT_COMMIT.contains(verb) && !temporary && !(verb.equals("CHECK") && !isCheckTable(t))
                && !(verb.equals("BEGIN") && t.size() > 1 && t.get(1).isWord("NOT"))) {
            return Inside.COMMITS_FIRST;
        }
        if (!traits.pins().isEmpty() || !traits.trustedReports() || locks(t)) {
            return Inside.MOVE;
        }
        return READS.contains(verb) || WRITES.contains(verb) ? Inside.STAYS : Inside.MOVE;
    }

    /** True when the first word of {@code sql}, after whitespace and comments, is {@code word}; cheap, no tokenising. */
    private static boolean startsWithWord(String sql, String word) {
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c) || c == '(') {
                i++;
            } else if (sql.startsWith("/*", i) && !sql.startsWith("/*!", i) && !sql.startsWith("/*M!", i)) {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (c == '#' || (sql.startsWith("--", i) && (i + 2 >= n || Character.isWhitespace(sql.charAt(i + 2))))) {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? n : end + 1;
            } else {
                // An executable comment or anything else: let the tokeniser decide.
                return !Character.isLetter(c) || sql.regionMatches(true, i, word, 0, word.length());
            }
        }
        return false;
    }

    private static boolean isCheckTable(List<SqlToken> t) {
        return t.size() > 1 && (t.get(1).isWord("TABLE") || t.get(1).isWord("TABLES"));
    }

    /** {@code FOR UPDATE}, {@code LOCK IN SHARE MODE}, {@code FOR SHARE}: locking reads. */
    private static boolean locks(List<SqlToken> t) {
        for (int i = 0; i + 1 < t.size(); i++) {
            if ((t.get(i).isWord("FOR") && (t.get(i + 1).isWord("UPDATE") || t.get(i + 1).isWord("SHARE")))
                    || (t.get(i).isWord("LOCK") && t.get(i + 1).isWord("IN"))) {
                return true;
            }
        }
        return false;
    }

    /** The tokens of {@code sql} when it is one statement (a trailing {@code ;} allowed), else null. */
    private static List<SqlToken> single(String sql) {
        List<SqlToken> t = SqlLexer.tokenize(sql);
        int end = t.size();
        while (end > 0 && t.get(end - 1).isSymbol(";")) {
            end--;
        }
        for (int i = 0; i < end; i++) {
            if (t.get(i).isSymbol(";")) {
                return null;
            }
        }
        return t.subList(0, end);
    }
}
