package io.switchyard.server.it.diff;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * Random statements that change and read session state, grouped in blocks that a client would
 * write (a transaction ends, a temporary table is dropped, a lock released; each with a small
 * chance of being left open). Every name a session touches is its own ({@link Schema#table},
 * its lock name), so what a session sees does not depend on how sessions interleave.
 *
 * <p>Not thread-safe: one instance per session script.
 */
public final class Grammar {
    private static final String FIXED_TIME = "'2024-03-10 12:34:56'";
    private static final String[] SQL_MODES = {"''", "'ANSI'", "'TRADITIONAL'", "'STRICT_TRANS_TABLES'",
            "'PIPES_AS_CONCAT,NO_BACKSLASH_ESCAPES'", "'ANSI_QUOTES'", "'ONLY_FULL_GROUP_BY,STRICT_ALL_TABLES'",
            "'NO_AUTO_VALUE_ON_ZERO'", "'ERROR_FOR_DIVISION_BY_ZERO,STRICT_TRANS_TABLES'", "DEFAULT",
            "'NOT_A_MODE'", "CONCAT(@@sql_mode, ',PIPES_AS_CONCAT')"};
    private static final String[] TIME_ZONES = {"'+00:00'", "'+05:30'", "'-08:00'", "'SYSTEM'", "DEFAULT",
            "'Mars/Olympus_Mons'", "'+25:00'"};
    private static final String[][] VARIABLES = {
            {"max_recursive_iterations", "3", "10", "1000", "DEFAULT", "'many'"},
            {"group_concat_max_len", "4", "6", "12", "1024", "3", "DEFAULT", "-1x"},
            {"div_precision_increment", "0", "2", "9", "30", "50", "DEFAULT"},
            {"sql_select_limit", "1", "2", "5", "DEFAULT", "18446744073709551615"},
            {"autocommit", "1", "ON", "'maybe'"},
            {"tx_isolation", "'READ-COMMITTED'", "'SERIALIZABLE'", "'REPEATABLE-READ'", "'READ-UNCOMMITTED'", "'SOMETIMES'"},
            {"collation_connection", "'utf8mb4_bin'", "'utf8mb4_general_ci'", "'latin1_swedish_ci'",
                    "'utf8mb4_unicode_ci'", "'latin1_bin'", "'nope_ci'"},
            {"character_set_results", "NULL", "'latin1'", "'utf8mb4'", "'binary'"},
            {"cte_max_recursion_depth", "10"},
            {"innodb_lock_wait_timeout", "2", "3"},
            {"big_tables", "0"},
    };
    private static final String[] ISOLATION = {"READ UNCOMMITTED", "READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE"};
    private static final String[] STRINGS = {"'plain'", "'Ünïcödé'", "'€uro'", "'it''s'", "'back\\\\slash'",
            "'a\"quote'", "''", "NULL", "X'C3A9'", "_latin1 X'E9'", "'MiXeD'"};

    /** Text in a {@code SET} that makes it fail on MariaDB (a bad value, a MySQL-only variable). */
    private static final List<String> FAILING_SET_MARKERS = List.of("NOT_A_MODE", "Mars/", "+25:00", "'many'", "-1x",
            "'maybe'", "'SOMETIMES'", "nope_ci", "cte_max_recursion_depth", "COLLATE latin1_bin", "nosuchcharset",
            "SET SESSION @", "no_such_variable");

    private final Random random;
    private final Set<Avoid> avoid;
    private final boolean utf8ClientOnly;
    private final boolean multiStatements;
    /** The script's length: a block that must end (an XA transaction) starts only where it fits. */
    private final int length;
    private final String table;
    private final String temporary;
    private final String lock;
    private final String sequence;
    /** A stored function that takes {@link #sequence}'s next value. */
    private final String nextFunction;
    private final String defaulted;
    private final String defaultedSequence;
    private final List<Step> steps = new ArrayList<>();
    /** A statement so far may have pinned the session (README, "What pins a session"). */
    private boolean mayBePinned;
    /**
     * A statement that certainly returned a result set ran ({@code SELECT @@…}): before one,
     * {@code FOUND_ROWS()} is what the server thread last served (0 on a new thread, else the
     * count of whichever connection it served before), directly as through the proxy.
     */
    private boolean foundRowsSet;
    private static final java.util.regex.Pattern MAY_PIN = java.util.regex.Pattern.compile(
            "(?<!@)@(?!@)|\\b(PREPARE|EXECUTE|CALL|GET_LOCK|TEMPORARY|LOCK|HANDLER|XA|CONNECTION_ID|FLUSH|STATUS|ROLE|NEXTVAL|LASTVAL|NEXT VALUE|PREVIOUS VALUE)\\b",
            java.util.regex.Pattern.CASE_INSENSITIVE);

    /**
     * Kinds of statement a run can leave out, to look past a known class of difference: each
     * class hides whatever else a session would have shown after it.
     */
    public enum Avoid {
        /** {@code SET}s that fail. */
        FAILING_SET,
        /** Statements that read warnings ({@code SHOW WARNINGS}, {@code @@warning_count}); warnings are not compared either. */
        WARNINGS,
        /** User variables assigned inside a statement ({@code :=}, {@code INTO @v}). */
        ASSIGNMENT_IN_STATEMENT,
        /**
         * {@code ROW_COUNT()} and {@code FOUND_ROWS()} read after a statement that gave the proxy no
         * reason to keep its connection (a plain {@code SELECT} between the write or
         * {@code SQL_CALC_FOUND_ROWS} and the read), which the proxy sets up again on the
         * connection the read runs on. They are still read right after the statement whose
         * result they read.
         */
        PREVIOUS_RESULT;

        /** Parses a comma-separated list such as {@code failing-set,warnings}; blank is none. */
        public static Set<Avoid> parse(String list) {
            Set<Avoid> avoid = EnumSet.noneOf(Avoid.class);
            for (String each : list == null ? new String[0] : list.split(",")) {
                if (!each.isBlank()) {
                    avoid.add(valueOf(each.strip().toUpperCase(Locale.ROOT).replace('-', '_')));
                }
            }
            return avoid;
        }
    }

    private Grammar(Random random, int session, Set<Avoid> avoid, boolean utf8ClientOnly, boolean multiStatements,
            int length) {
        this.random = random;
        this.length = length;
        this.multiStatements = multiStatements;
        this.avoid = avoid;
        this.utf8ClientOnly = utf8ClientOnly;
        this.table = Schema.table(session);
        this.temporary = Schema.APP_DATABASE + "." + Schema.table(session) + "_tmp";
        this.lock = "'difftest_lock_" + session + "'";
        this.sequence = Schema.APP_DATABASE + "." + Schema.sequence(session);
        this.nextFunction = Schema.APP_DATABASE + "." + Schema.nextFunction(session);
        this.defaulted = Schema.APP_DATABASE + "." + Schema.defaultedTable(session);
        this.defaultedSequence = Schema.APP_DATABASE + "." + Schema.defaultedSequence(session);
    }

    /**
     * A script of {@code length} steps for session {@code session}, drawn from {@code random}.
     * With {@code utf8ClientOnly} the client character set stays a UTF-8 one: MariaDB Connector/J
     * closes the connection when it changes to anything else. Without {@code multiStatements} no
     * text holds several statements: MariaDB Connector/J 3.5 with server-side prepares waits
     * forever for its next prepared statement after a text whose second or later statement
     * failed (directly as through the proxy).
     */
    public static List<Step> script(Random random, int session, int length, Set<Avoid> avoid,
            boolean utf8ClientOnly, boolean multiStatements) {
        Grammar grammar = new Grammar(random, session, avoid, utf8ClientOnly, multiStatements, length);
        grammar.add("SET SESSION innodb_lock_wait_timeout = 3");
        if (session % 4 == 1) {
            grammar.quotedText(session / 4);
        }
        for (int blocks = 0; grammar.steps.size() < length && blocks < 10 * length; blocks++) {
            grammar.block();
        }
        return List.copyOf(grammar.steps.subList(0, Math.min(length, grammar.steps.size())));
    }

    private void block() {
        switch (random.nextInt(26)) {
            case 0, 1 -> setVariable();
            case 2 -> setSeveral();
            case 3 -> names();
            case 4, 5, 6 -> add(stateRead());
            case 7 -> userVariables();
            case 8 -> useOther();
            case 9 -> temporaryTable();
            case 10 -> prepare();
            case 11 -> jdbcPrepared();
            case 12 -> transaction();
            case 13 -> advisoryLock();
            case 14 -> insertId();
            case 15 -> foundRows();
            case 16 -> warnings();
            case 17 -> call();
            case 18 -> useNonAscii();
            case 19 -> tracking();
            case 20 -> sequence();
            case 21 -> multiStatement();
            case 22 -> statementScoped();
            case 23 -> tableLockOrXa();
            case 24 -> connectionApi();
            default -> add(write());
        }
    }

    private void add(String sql) {
        if (!avoided(sql)) {
            steps.add(Step.text(sql));
            mayBePinned |= MAY_PIN.matcher(sql).find();
            foundRowsSet |= sql.startsWith("SELECT @@") && sql.indexOf(';') < 0;
        }
    }

    private boolean avoided(String sql) {
        String upper = sql.toUpperCase(Locale.ROOT);
        return (avoid.contains(Avoid.FAILING_SET) && upper.startsWith("SET ")
                        && FAILING_SET_MARKERS.stream().anyMatch(sql::contains))
                || (avoid.contains(Avoid.WARNINGS) && (upper.startsWith("SHOW") || upper.contains("WARNING_COUNT")))
                || (avoid.contains(Avoid.ASSIGNMENT_IN_STATEMENT) && !upper.startsWith("SET ")
                        && (sql.contains(":=") || upper.contains("INTO @")));
    }

    private String pick(String... choices) {
        return choices[random.nextInt(choices.length)];
    }

    private boolean chance(int percent) {
        return random.nextInt(100) < percent;
    }

    private String assignment() {
        int kind = random.nextInt(4);
        if (kind == 0) {
            return "sql_mode = " + pick(SQL_MODES);
        }
        if (kind == 1) {
            return "time_zone = " + pick(TIME_ZONES);
        }
        String[] variable = VARIABLES[random.nextInt(VARIABLES.length)];
        return variable[0] + " = " + variable[1 + random.nextInt(variable.length - 1)];
    }

    private void setVariable() {
        if (chance(15)) {
            add("SET SESSION TRANSACTION ISOLATION LEVEL " + pick(ISOLATION));
        } else {
            add("SET " + pick("SESSION ", "", "@@session.", "LOCAL ") + assignment());
        }
        if (chance(50)) {
            add(stateRead());
        }
    }

    /**
     * Opens the scripts of every fourth session (the same in every seed, so the rest of each
     * script stays what the seed drew): under a {@code sql_mode} that quotes otherwise
     * ({@code NO_BACKSLASH_ESCAPES}, {@code ANSI_QUOTES}), a statement whose text the default
     * rules would read as a string that never ends, hiding the lock it takes and the variable it
     * assigns; then a read of both, and a reset of the session, after which the script goes on
     * from a session with nothing pinned.
     */
    private void quotedText(int variant) {
        String[][] variants = {
            {"'STRICT_TRANS_TABLES,NO_BACKSLASH_ESCAPES'", "SELECT 'C:\\', GET_LOCK(" + lock + ", 0), @q := 3"},
            {"'ANSI_QUOTES'", "SELECT 1 AS \"b\\\", GET_LOCK(" + lock + ", 0), @q := 3"},
            {"'ANSI'", "SELECT 'a' || 'b' AS \"c\\\", GET_LOCK(" + lock + ", 0), @q := 3"},
            {"'ANSI_QUOTES,NO_BACKSLASH_ESCAPES'", "SELECT 'C:\\' AS \"b\\\", GET_LOCK(" + lock + ", 0), @q := 3"},
        };
        String[] chosen = variants[variant % variants.length];
        add("SET SESSION sql_mode = " + chosen[0]);
        add(chosen[1]);
        add("SELECT @@sql_mode, DATABASE()");
        add("SELECT @q, RELEASE_LOCK(" + lock + "), IS_FREE_LOCK(" + lock + ")");
        steps.add(Step.api(Step.Api.RESET, ""));
        mayBePinned = false;
        foundRowsSet = false;
    }

    private void setSeveral() {
        int count = 2 + random.nextInt(3);
        StringBuilder sql = new StringBuilder("SET SESSION ");
        for (int i = 0; i < count; i++) {
            sql.append(i == 0 ? "" : ", ").append(chance(20) ? "@v" + i + " = " + pick(STRINGS) : assignment());
        }
        add(sql.toString());
        add(stateRead());
    }

    private void names() {
        if (utf8ClientOnly) {
            add(pick("SET NAMES utf8mb4", "SET NAMES utf8mb4 COLLATE utf8mb4_bin", "SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci",
                    "SET NAMES utf8mb4 COLLATE latin1_bin", "SET NAMES nosuchcharset", "SET CHARACTER SET utf8mb4",
                    "SET character_set_results = NULL", "SET NAMES utf8mb3"));
        } else {
            add(pick("SET NAMES latin1", "SET NAMES utf8mb4", "SET NAMES utf8mb4 COLLATE utf8mb4_bin",
                    "SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci", "SET NAMES latin1 COLLATE latin1_general_cs",
                    "SET NAMES utf8mb4 COLLATE latin1_bin", "SET NAMES nosuchcharset", "SET CHARACTER SET latin1",
                    "SET CHARACTER SET utf8mb4", "SET CHARACTER SET DEFAULT", "SET character_set_results = NULL",
                    "SET SESSION character_set_client = latin1", "SET NAMES DEFAULT"));
        }
        add(stateRead());
    }

    private String stateRead() {
        return switch (random.nextInt(16)) {
            case 0 -> "SELECT @@sql_mode, @@time_zone, @@max_recursive_iterations, @@group_concat_max_len";
            case 1 -> "SELECT @@autocommit, @@tx_isolation, @@div_precision_increment, @@sql_select_limit, DATABASE()";
            case 2 -> "SELECT @@character_set_client, @@character_set_connection, @@character_set_results, "
                    + "@@collation_connection";
            case 3 -> "SELECT CONVERT_TZ(" + FIXED_TIME + ", @@time_zone, '+00:00') AS utc, UNIX_TIMESTAMP(" + FIXED_TIME + ")";
            case 4 -> "SELECT CHARSET('x'), COLLATION('x'), 'a' = 'A', 'é' = 'e', LENGTH('é'), CHAR_LENGTH('é')";
            case 5 -> "SELECT 'ab' || 'cd', 'x' || 0";
            case 6 -> "WITH RECURSIVE r(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM r WHERE k < 20) "
                    + "SELECT COUNT(*), MAX(k) FROM r";
            case 7 -> "SELECT GROUP_CONCAT(c ORDER BY id SEPARATOR '|') FROM " + table;
            case 8 -> "SELECT 1/7, 10/3, 2/3 * 3, AVG(n) FROM " + table;
            case 9 -> "SELECT id, c, n FROM " + table + " ORDER BY id";
            case 10 -> "SELECT @a, @b, @s, @cnt, @l, @proc_out, @v1";
            case 11 -> "SELECT id, ts, UNIX_TIMESTAMP(ts), d FROM " + table + " ORDER BY id";
            case 12 -> "SELECT c, HEX(c), CHARSET(c) FROM " + table + " WHERE c LIKE 'ü%' OR c = 'PLAIN' ORDER BY id";
            case 13 -> "SELECT \"double quoted\"";
            case 14 -> "SELECT DATABASE(), (SELECT COUNT(*) FROM " + table + ")";
            default -> "SELECT 1/0, CAST('12abc' AS SIGNED), 'back\\\\slash', 'it''s'";
        };
    }

    private String write() {
        return switch (random.nextInt(9)) {
            case 0 -> "INSERT INTO " + table + " (c, n, ts, d) VALUES (" + pick(STRINGS) + ", "
                    + random.nextInt(100) + ", " + FIXED_TIME + ", " + random.nextInt(1000) + "/7)";
            case 1 -> "INSERT INTO " + table + " (c, n) VALUES (REPEAT('y', 25), 'abc')";
            case 2 -> "UPDATE " + table + " SET n = n WHERE id = 1";
            case 3 -> "UPDATE " + table + " SET n = n + 1, d = d / 3 WHERE id <= " + random.nextInt(4);
            case 4 -> "DELETE FROM " + table + " WHERE id > 3 ORDER BY id LIMIT 1";
            case 5 -> "INSERT INTO " + table + " (id, c) VALUES (0, 'zero')";
            case 6 -> "UPDATE " + table + " SET ts = " + FIXED_TIME + " WHERE id = " + (1 + random.nextInt(3));
            case 7 -> "REPLACE INTO " + table + " (id, c, n) VALUES (2, " + pick(STRINGS) + ", 7)";
            default -> "INSERT INTO " + table + " (c, n) SELECT CONCAT('sum', COUNT(*)), SUM(n) FROM " + table;
        };
    }

    private void userVariables() {
        add("SET @a = " + random.nextInt(10) + ", @s = " + pick(STRINGS) + ", @l = 0");
        int count = 1 + random.nextInt(4);
        for (int i = 0; i < count; i++) {
            add(switch (random.nextInt(6)) {
                case 0 -> "SELECT @a := @a + 1, @a";
                case 1 -> "SELECT COUNT(*), MAX(n) INTO @cnt, @b FROM " + table;
                case 2 -> "UPDATE " + table + " SET c = CONCAT(LEFT(c, 6), @l := @l + 1) WHERE id <= 3";
                case 3 -> "SET @b = CONCAT(@s, @a)";
                case 4 -> "SELECT @s, HEX(@s), CHARSET(@s), @a + 0.5";
                default -> "SELECT @l, @cnt, @b";
            });
        }
        add("SELECT @a, @b, @s, @l, @cnt");
        if (chance(80)) {
            add("SET @a = 1, @b = 'b', @s = 'reset', @l = 0, @cnt = 0");
        }
    }

    private void useOther() {
        add("USE " + Schema.OTHER_DATABASE);
        int count = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            if (chance(20)) {
                steps.add(Step.prepared("INSERT INTO " + table + " (c, n) VALUES (?, ?)", "ps-other", i));
            } else {
                add(pick("SELECT DATABASE(), c FROM " + table + " ORDER BY id",
                        "INSERT INTO " + table + " (c, n) VALUES ('in-other', 1)",
                        "CALL multi(" + random.nextInt(5) + ")", "SELECT COUNT(*) FROM " + table));
            }
        }
        if (chance(90)) {
            add(pick("USE " + Schema.APP_DATABASE, "USE `" + Schema.APP_DATABASE + "`", "USE nosuchdb"));
        }
    }

    /**
     * Into the database with a non-ASCII name, under another client character set or not (a
     * {@code USE} there by a latin1 session fails, directly as through the proxy), and out again.
     */
    private void useNonAscii() {
        if (chance(50)) {
            names();
        }
        add("USE `" + Schema.NON_ASCII_DATABASE + "`");
        add("SELECT DATABASE(), HEX(DATABASE()), @@character_set_client");
        if (chance(50)) {
            names();
        }
        add(pick("SELECT HEX(DATABASE()), COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()",
                "SELECT HEX(DATABASE()), @@collation_database", stateRead()));
        if (chance(80)) {
            add(pick("USE " + Schema.APP_DATABASE, "USE " + Schema.OTHER_DATABASE));
        }
    }

    /**
     * The client's own session-tracking settings changed, and read while nothing pinned the
     * session yet (a pinned session reads the proxy's: see the README).
     */
    private void tracking() {
        if (chance(60)) {
            add(pick("SET SESSION session_track_system_variables = 'time_zone,sql_mode'",
                    "SET @@session.session_track_system_variables = '*'", "SET SESSION session_track_schema = OFF",
                    "SET SESSION session_track_state_change = ON, session_track_transaction_info = 'STATE'",
                    "SET SESSION session_track_system_variables = DEFAULT, session_track_schema = DEFAULT",
                    "SET SESSION session_track_system_variables = 'no_such_variable'"));
        }
        if (!mayBePinned && chance(50)) {
            add(pick("SELECT @@session_track_system_variables, @@session_track_schema, @@session_track_state_change, "
                    + "@@session_track_transaction_info", "SHOW SESSION VARIABLES LIKE 'session_track%'"));
        }
        add(stateRead());
    }

    private void temporaryTable() {
        add("CREATE TEMPORARY TABLE " + temporary + " (x INT, y VARCHAR(10))");
        add("INSERT INTO " + temporary + " VALUES (1, " + pick(STRINGS) + "), (2, 'two')");
        if (chance(50)) {
            add(stateRead());
        }
        add("SELECT x, y, HEX(y) FROM " + temporary + " ORDER BY x");
        if (chance(90)) {
            add("DROP TEMPORARY TABLE " + temporary);
        }
    }

    private void prepare() {
        String name = pick("p1", "p2");
        add("PREPARE " + name + " FROM " + pick(
                "'SELECT ?, @@sql_mode, CHARSET(?), 10/3'",
                "'INSERT INTO " + table + " (c, n) VALUES (?, ?)'",
                "'SELECT id, c FROM " + table + " WHERE n >= ? OR c = ? ORDER BY id'",
                "'SELECT no_such_column FROM " + table + " WHERE ? = ?'"));
        add("SET @x = " + random.nextInt(50) + ", @y = " + pick(STRINGS));
        int executions = 1 + random.nextInt(2);
        for (int i = 0; i < executions; i++) {
            add("EXECUTE " + name + " USING @x, @y");
        }
        if (chance(50)) {
            add(stateRead());
        }
        if (chance(90)) {
            add("DEALLOCATE PREPARE " + name);
        }
    }

    private void jdbcPrepared() {
        int count = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            steps.add(switch (random.nextInt(5)) {
                case 0 -> Step.prepared("SELECT ?, CHARSET(?), @@time_zone, ? / 7", random.nextInt(9), "p€", random.nextInt(9));
                // what its text means depends on sql_mode and the collation when it is prepared
                case 4 -> Step.prepared("SELECT 'a' = 'A', '1' || '0', \"q\", COLLATION('x'), n, HEX('é') FROM " + table
                        + " WHERE id = ?",
                        1 + random.nextInt(3));
                case 1 -> Step.prepared("INSERT INTO " + table + " (c, n) VALUES (?, ?)", "jdbc-" + random.nextInt(9), random.nextInt(9));
                case 2 -> Step.prepared("SELECT id, c, n FROM " + table + " WHERE id > ? ORDER BY id", random.nextInt(4));
                default -> Step.prepared("UPDATE " + table + " SET n = ? WHERE id = ?", random.nextInt(9), 1 + random.nextInt(3));
            });
        }
        if (chance(35)) {
            // Kept prepared for the session's later steps, which may have changed its database,
            // sql_mode or character sets since: a copy on another connection is prepared again
            // under the first ones. Not FOUND_ROWS() too: after a write on another connection
            // than the last result set's, that is a known limit (README).
            steps.add(Step.prepared("SELECT ROW_COUNT()"));
        }
        if (chance(40)) {
            add(stateRead());
        }
    }

    private void transaction() {
        boolean autocommitOff = chance(40);
        if (autocommitOff) {
            add("SET autocommit = 0");
        } else if (chance(20)) {
            add("SET TRANSACTION ISOLATION LEVEL " + pick(ISOLATION));
            add("START TRANSACTION");
        } else {
            add(pick("BEGIN", "START TRANSACTION", "START TRANSACTION READ ONLY"));
        }
        int count = 1 + random.nextInt(4);
        for (int i = 0; i < count; i++) {
            add(chance(50) ? write() : stateRead());
            if (chance(10)) {
                add("SAVEPOINT sp");
            }
        }
        add(pick("COMMIT", "ROLLBACK", "ROLLBACK TO SAVEPOINT sp", "COMMIT"));
        if (autocommitOff && chance(90)) {
            add(pick("SET autocommit = 1", "SET SESSION autocommit = ON"));
        }
        add(stateRead());
    }

    /**
     * What changes state for one statement only ({@code SET STATEMENT … FOR}), dynamic SQL
     * ({@code EXECUTE IMMEDIATE}, which may change the session's state), and statements that
     * return rows from a write ({@code RETURNING}) or take row locks outside a transaction.
     */
    private void statementScoped() {
        add(switch (random.nextInt(8)) {
            case 0 -> "SET STATEMENT sql_mode = 'ANSI' FOR SELECT 'a' || 'b', @@sql_mode, \"c\"";
            case 1 -> "SET STATEMENT time_zone = '+01:00', div_precision_increment = 2 FOR SELECT @@time_zone, 1/3, "
                    + "UNIX_TIMESTAMP(" + FIXED_TIME + ")";
            case 2 -> "SET STATEMENT max_statement_time = 10 FOR UPDATE " + table + " SET n = n + 1 WHERE id = 2";
            case 3 -> "EXECUTE IMMEDIATE 'SELECT ?, @@time_zone, DATABASE()' USING " + random.nextInt(9);
            case 4 -> "EXECUTE IMMEDIATE CONCAT('SET time_zone = ', QUOTE(" + pick(TIME_ZONES) + "))";
            case 5 -> "INSERT INTO " + table + " (c, n) VALUES (" + pick(STRINGS) + ", 3) RETURNING id, c, n";
            case 6 -> "DELETE FROM " + table + " WHERE id > 4 ORDER BY id DESC LIMIT 1 RETURNING id, c";
            default -> "SELECT id, c FROM " + table + " WHERE id <= 2 ORDER BY id FOR UPDATE";
        });
        if (chance(60)) {
            add(stateRead());
        }
    }

    /**
     * {@code LOCK TABLES} of the session's own table (other tables then fail to open), and an XA
     * transaction, always ended: one left prepared would outlive the session.
     */
    private void tableLockOrXa() {
        if (chance(50) || steps.size() + 6 >= length) {
            add("LOCK TABLES " + table + " " + pick("WRITE", "READ"));
            int count = 1 + random.nextInt(3);
            for (int i = 0; i < count; i++) {
                add(chance(50) ? write() : stateRead());
            }
            if (chance(90)) {
                add("UNLOCK TABLES");
            }
            return;
        }
        String xid = "'difftest_xa_" + table + "'";
        add("XA START " + xid);
        add(write());
        if (chance(50)) {
            add(stateRead());
        }
        add("XA END " + xid);
        if (chance(50)) {
            add("XA COMMIT " + xid + " ONE PHASE");
        } else {
            add("XA PREPARE " + xid);
            add(pick("XA COMMIT " + xid, "XA ROLLBACK " + xid));
        }
    }

    /**
     * What a driver sends for its connection's methods: {@code setCatalog} and its reset of the
     * session ({@code COM_RESET_CONNECTION}), after which nothing the session set is left.
     */
    private void connectionApi() {
        if (chance(60)) {
            steps.add(Step.api(Step.Api.CATALOG, pick(Schema.APP_DATABASE, Schema.OTHER_DATABASE, Schema.APP_DATABASE)));
        } else {
            steps.add(Step.api(Step.Api.RESET, ""));
            mayBePinned = false;
            foundRowsSet = false;
        }
        add(pick(stateRead(), "SELECT DATABASE(), @@character_set_client, @@collation_connection, @@sql_mode",
                "SELECT @a, @b, @s, @cnt, @l, @proc_out, @v1", "SELECT LAST_INSERT_ID(), ROW_COUNT()"));
    }

    /** An advisory lock, taken directly or inside a stored function (which the server does not report). */
    private void advisoryLock() {
        add(pick("SELECT GET_LOCK(" + lock + ", 0)", "SELECT take_lock(" + lock + ")",
                "SELECT n, " + Schema.OTHER_DATABASE + ".take_lock(" + lock + ") FROM " + table + " WHERE id = 1"));
        if (chance(30)) {
            add("SELECT GET_LOCK(" + lock + ", 0)");
        }
        add("SELECT IS_FREE_LOCK(" + lock + ")");
        if (chance(50)) {
            add(stateRead());
        }
        if (chance(90)) {
            add(pick("SELECT RELEASE_LOCK(" + lock + ")", "SELECT RELEASE_ALL_LOCKS()"));
        }
        if (chance(20)) {
            add("SELECT RELEASE_LOCK(" + lock + ")");
        }
    }

    /**
     * A sequence's values: taken and read in the statement's text, or taken by a column default
     * (unseen in the text) and read right after that write, where the proxy keeps its connection
     * (README, known limits).
     */
    private void sequence() {
        switch (random.nextInt(7)) {
            case 0 -> add("SELECT NEXTVAL(" + sequence + ")");
            case 1 -> add("SELECT NEXT VALUE FOR " + sequence + ", n FROM " + table + " WHERE id = 1");
            case 2 -> add("INSERT INTO " + table + " (c, n) VALUES ('seq', NEXTVAL(" + sequence + "))");
            case 3 -> add("SELECT SETVAL(" + sequence + ", " + (100 + random.nextInt(50)) + ")");
            case 5 -> add(pick("SELECT " + nextFunction + "()", "DO " + nextFunction + "()"));
            case 4 -> {
                add("INSERT INTO " + defaulted + " (v) VALUES (" + random.nextInt(9) + ")");
                add(pick("SELECT LASTVAL(" + defaultedSequence + ")", "SELECT PREVIOUS VALUE FOR " + defaultedSequence
                        + ", ROW_COUNT()"));
            }
            default -> { }
        }
        if (chance(40)) {
            add(stateRead());
        }
        if (chance(70)) {
            add(pick("SELECT LASTVAL(" + sequence + "), PREVIOUS VALUE FOR " + sequence,
                    "SELECT PREVIOUS VALUE FOR " + sequence + " + 1"));
        }
    }

    /**
     * Two or three statements in one text (every driver allows them): each statement's changes
     * count as they come, a failing one stops the rest, and the next statement reads what the
     * last one that ran left.
     */
    private void multiStatement() {
        if (!multiStatements) {
            add(write());
            return;
        }
        int count = 2 + random.nextInt(2);
        List<String> parts = new ArrayList<>();
        while (parts.size() < count) {
            String part = switch (random.nextInt(9)) {
                case 0, 1 -> "SET " + pick("SESSION ", "") + assignment();
                case 2 -> stateRead();
                case 3 -> write();
                case 4 -> pick("USE " + Schema.OTHER_DATABASE, "USE " + Schema.APP_DATABASE, "USE nosuchdb");
                case 5 -> pick("SET NAMES utf8mb4 COLLATE utf8mb4_bin", "SET NAMES utf8mb4", "SET NAMES nosuchcharset",
                        utf8ClientOnly ? "SET character_set_results = NULL" : "SET NAMES latin1");
                case 6 -> pick("SELECT CAST('abc' AS SIGNED)", "SELECT 1/0", "DO 1", "SELECT * FROM no_such_table_" + table);
                case 7 -> pick("SELECT id, c FROM " + table + " ORDER BY id LIMIT 1, 1",
                        foundRowsSet ? "SELECT FOUND_ROWS(), ROW_COUNT()" : "SELECT ROW_COUNT()",
                        "SELECT LAST_INSERT_ID()", "INSERT INTO " + table + " (c, n) VALUES ('multi', 5)");
                default -> "SELECT NEXTVAL(" + sequence + "), LASTVAL(" + sequence + ")";
            };
            if (!avoided(part)) {
                parts.add(part);
            }
        }
        add(String.join("; ", parts));
        if (chance(60)) {
            add(pick(stateRead(), foundRowsSet ? "SELECT FOUND_ROWS(), ROW_COUNT()" : "SELECT ROW_COUNT()", "SHOW WARNINGS",
                    "SELECT DATABASE(), @@time_zone"));
        }
    }

    private void insertId() {
        add(pick("INSERT INTO " + table + " (c, n) VALUES ('auto', 1)",
                "INSERT INTO " + table + " (c, n) VALUES ('one', 1), ('two', 2)",
                "SELECT LAST_INSERT_ID(" + random.nextInt(1000) + ")",
                "INSERT IGNORE INTO " + table + " (id, c) VALUES (1, 'dup')"));
        boolean between = chance(40);
        if (between) {
            add(stateRead());
        }
        add(between && avoid.contains(Avoid.PREVIOUS_RESULT) ? "SELECT LAST_INSERT_ID()"
                : pick("SELECT LAST_INSERT_ID()", "SELECT LAST_INSERT_ID(), ROW_COUNT()"));
    }

    private void foundRows() {
        if (chance(20)) {
            // FOUND_ROWS() here is not in the response: with no row back the offset may lie past
            // the last row (then every row counts), a UNION counts every row of its parts, WITH
            // TIES the rows it read. The proxy reads it where the statement ran.
            add(pick("SELECT id, c FROM " + table + " ORDER BY id LIMIT 1, 1", "SELECT id, c FROM " + table + " ORDER BY id LIMIT 90, 1",
                    "SELECT seq FROM seq_1_to_30 UNION ALL SELECT id FROM " + table + " LIMIT 3",
                    "SELECT seq % 5 FROM seq_1_to_40 ORDER BY seq % 5 FETCH FIRST 2 ROWS WITH TIES",
                    "(SELECT id FROM " + table + " ORDER BY id LIMIT 2, 2)"));
            if (chance(30) && !avoid.contains(Avoid.PREVIOUS_RESULT)) {
                add(stateRead());
            }
            add("SELECT FOUND_ROWS(), ROW_COUNT()");
            return;
        }
        if (chance(25)) {
            // Rows come back, so FOUND_ROWS() is the offset plus those rows; a page query's offset
            // and row count may be parameters of a prepared statement.
            if (chance(40)) {
                steps.add(Step.prepared(pick("SELECT seq FROM seq_1_to_50 ORDER BY seq LIMIT ?, ?",
                        "SELECT seq FROM seq_1_to_50 ORDER BY seq DESC OFFSET ? ROWS FETCH NEXT ? ROWS ONLY"),
                        random.nextInt(45), 1 + random.nextInt(5)));
            } else {
                add(pick("SELECT seq FROM seq_1_to_50 ORDER BY seq LIMIT 7, 3", "SELECT seq FROM seq_1_to_50 LIMIT 2 OFFSET 45",
                        "SELECT seq FROM seq_1_to_50 ORDER BY seq DESC OFFSET 4 ROWS FETCH FIRST 2 ROWS ONLY"));
            }
            if (chance(30) && !avoid.contains(Avoid.PREVIOUS_RESULT)) {
                add(stateRead());
            }
            add("SELECT FOUND_ROWS(), ROW_COUNT()");
            return;
        }
        if (chance(25)) {
            // A statement without a result set, or with one that is not a query's (VALUES, CHECKSUM
            // TABLE, SHOW CREATE), leaves the count of the SELECT before it, also when it runs on
            // another connection than that SELECT; so does what an EXECUTE IMMEDIATE runs.
            add("SELECT id, c FROM " + table + " ORDER BY id");
            add(pick("INSERT INTO " + table + " (c, n) VALUES ('counted', 1)", "UPDATE " + table + " SET n = n + 1 WHERE id = 1",
                    "DO 1", "SET @counted = 1", "VALUES (1), (2), (3)", "CHECKSUM TABLE " + table, "SHOW CREATE TABLE " + table,
                    "EXECUTE IMMEDIATE 'DO 2'"));
            add("SELECT FOUND_ROWS()");
            return;
        }
        add("SELECT SQL_CALC_FOUND_ROWS id, c FROM " + table + " ORDER BY id LIMIT 1");
        if (chance(30) && !avoid.contains(Avoid.PREVIOUS_RESULT)) {
            add(stateRead());
        }
        add("SELECT FOUND_ROWS()");
    }

    private void warnings() {
        add(pick("SELECT CAST('abc' AS SIGNED), 1/0", "INSERT INTO " + table + " (c, n) VALUES (REPEAT('w', 30), '7x')",
                "SET SESSION div_precision_increment = 99", "SELECT GROUP_CONCAT(c) FROM " + table,
                "DROP TABLE IF EXISTS no_such_table_" + table, "SELECT CONVERT(_utf8mb4 '€' USING latin1)",
                "UPDATE " + table + " SET n = 'nan' WHERE id = 1"));
        if (chance(30)) {
            add(stateRead());
        }
        add(pick("SHOW WARNINGS", "SHOW WARNINGS", "SELECT @@warning_count", "SHOW COUNT(*) WARNINGS", "SHOW ERRORS"));
    }

    /** Stored code: a procedure of several results, or a function that assigns a user variable or changes nothing. */
    private void call() {
        if (chance(40)) {
            int v = random.nextInt(5);
            add(pick("SELECT set_out(" + v + ")", "DO " + Schema.OTHER_DATABASE + ".set_out(" + v + ")",
                    "SELECT plus_one(n), c FROM " + table + " ORDER BY id", "UPDATE " + table + " SET n = plus_one(n) WHERE id = 2",
                    "SELECT no_such_function(" + v + ")"));
            if (chance(60)) {
                add("SELECT @fn_out, DATABASE()");
            }
            return;
        }
        add("CALL " + pick("multi", "multi", Schema.OTHER_DATABASE + ".multi", "no_such_procedure") + "(" + random.nextInt(5) + ")");
        if (chance(60)) {
            add("SELECT @proc_out, DATABASE()");
        }
    }
}
