package io.switchyard.server.it.diff;

import io.switchyard.server.launcher.MariaDbServer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The objects the sessions work on, identical on every server: per session a table
 * {@code s<n>_t} in both {@link #APP_DATABASE} and {@link #OTHER_DATABASE} (different rows, so a
 * statement shows which database it ran in), and in each database a procedure {@code multi(p)}
 * that returns several result sets and sets {@code @proc_out}, and stored functions: one that
 * takes an advisory lock ({@code take_lock(name)}), one that assigns {@code @fn_out}
 * ({@code set_out(v)}) and one that changes nothing ({@code plus_one(v)}); per session in
 * {@link #APP_DATABASE} a sequence, a function that takes its next value ({@link #nextFunction}),
 * and a table whose key's default takes another sequence's values.
 */
public final class Schema {
    public static final String APP_DATABASE = "app";
    public static final String OTHER_DATABASE = "difftest_other";
    /** A database with a non-ASCII name and no tables: the proxy selects it in UTF-8 whatever the session's client character set. */
    public static final String NON_ASCII_DATABASE = "difftest_ü";

    private Schema() {}

    /** The unqualified name of session {@code session}'s table. */
    public static String table(int session) {
        return "s" + session + "_t";
    }

    /** Session {@code session}'s sequence, in {@link #APP_DATABASE}. */
    public static String sequence(int session) {
        return "s" + session + "_seq";
    }

    /** Session {@code session}'s table in {@link #APP_DATABASE} whose key's default takes {@link #defaultedSequence}'s values. */
    public static String defaultedTable(int session) {
        return "s" + session + "_defaulted";
    }

    /** The sequence {@link #defaultedTable}'s default takes from. */
    public static String defaultedSequence(int session) {
        return "s" + session + "_dseq";
    }

    /** Session {@code session}'s function in {@link #APP_DATABASE} that returns its sequence's next value. */
    public static String nextFunction(int session) {
        return "s" + session + "_next";
    }

    /** Drops and creates every session's tables, the procedures and the functions, as root. */
    public static void reset(MariaDbServer server, int sessions) {
        List<String> sql = new ArrayList<>();
        sql.add("CREATE DATABASE IF NOT EXISTS " + OTHER_DATABASE);
        sql.add("GRANT ALL ON " + OTHER_DATABASE + ".* TO 'app'@'%'");
        sql.add("CREATE DATABASE IF NOT EXISTS `" + NON_ASCII_DATABASE + "` CHARACTER SET latin1");
        sql.add("GRANT ALL ON `" + NON_ASCII_DATABASE + "`.* TO 'app'@'%'");
        for (String database : List.of(APP_DATABASE, OTHER_DATABASE)) {
            sql.add("DROP PROCEDURE IF EXISTS " + database + ".multi");
            sql.add("CREATE PROCEDURE " + database + ".multi(IN p INT) BEGIN "
                    + "SELECT p AS p, DATABASE() AS db, '" + database + "' AS marker; "
                    + "SELECT @@group_concat_max_len AS gcl, @@div_precision_increment AS dpi, 1/3 AS third, "
                    + "@@time_zone AS tz, @@character_set_client AS cs; "
                    + "SET @proc_out = p * 2; "
                    + "SELECT COUNT(*) AS tables_here FROM information_schema.tables WHERE table_schema = DATABASE(); "
                    + "END");
            sql.add("CREATE OR REPLACE FUNCTION " + database + ".take_lock(n VARCHAR(64)) RETURNS INT NO SQL RETURN GET_LOCK(n, 0)");
            sql.add("CREATE OR REPLACE FUNCTION " + database + ".set_out(v INT) RETURNS INT NO SQL BEGIN SET @fn_out = v; RETURN v; END");
            sql.add("CREATE OR REPLACE FUNCTION " + database + ".plus_one(v INT) RETURNS INT DETERMINISTIC NO SQL RETURN v + 1");
            for (int session = 0; session < sessions; session++) {
                String table = database + "." + table(session);
                if (database.equals(APP_DATABASE)) {
                    String defaulted = database + "." + defaultedTable(session);
                    String defaultedSequence = database + "." + defaultedSequence(session);
                    sql.add("DROP TABLE IF EXISTS " + defaulted);
                    sql.add("CREATE OR REPLACE SEQUENCE " + database + "." + sequence(session));
                    sql.add("CREATE OR REPLACE SEQUENCE " + defaultedSequence);
                    sql.add("CREATE TABLE " + defaulted + " (id INT DEFAULT NEXTVAL(" + defaultedSequence + ") PRIMARY KEY, v INT)");
                    sql.add("CREATE OR REPLACE FUNCTION " + database + "." + nextFunction(session)
                            + "() RETURNS BIGINT READS SQL DATA RETURN NEXTVAL(" + database + "." + sequence(session) + ")");
                }
                sql.add("DROP TABLE IF EXISTS " + table);
                sql.add("CREATE TABLE " + table + " (id INT AUTO_INCREMENT PRIMARY KEY, c VARCHAR(20), n INT, "
                        + "ts TIMESTAMP NULL, d DECIMAL(12,4)) CHARACTER SET utf8mb4");
                sql.add(database.equals(APP_DATABASE)
                        ? "INSERT INTO " + table + " (c, n, ts, d) VALUES ('plain', 1, '2020-01-01 00:00:00', 1.5), "
                                + "('Ünïcödé', 2, NULL, 2.25), ('MiXeD', 3, '2021-06-30 23:59:59', NULL)"
                        : "INSERT INTO " + table + " (c, n) VALUES ('other-1', 10), ('other-2', 20)");
            }
        }
        server.execute(sql.toArray(String[]::new));
    }

    /**
     * Every session table's rows on {@code server}, keyed by qualified table name; each row as one
     * string, with strings in hex and timestamps as epoch seconds so the reading session's
     * settings do not matter.
     */
    public static Map<String, List<String>> contents(MariaDbServer server, int sessions) {
        Map<String, List<String>> contents = new LinkedHashMap<>();
        for (String database : List.of(APP_DATABASE, OTHER_DATABASE)) {
            for (int session = 0; session < sessions; session++) {
                String table = database + "." + table(session);
                List<String> rows = new ArrayList<>();
                for (Map<String, Object> row : server.query("SELECT id, HEX(c) AS c, n, UNIX_TIMESTAMP(ts) AS ts, d FROM "
                        + table + " ORDER BY id")) {
                    rows.add(row.values().toString());
                }
                contents.put(table, rows);
            }
        }
        for (int session = 0; session < sessions; session++) {
            String defaulted = APP_DATABASE + "." + defaultedTable(session);
            List<String> rows = new ArrayList<>();
            for (Map<String, Object> row : server.query("SELECT id, v FROM " + defaulted + " ORDER BY id")) {
                rows.add(row.values().toString());
            }
            contents.put(defaulted, rows);
        }
        return contents;
    }
}
