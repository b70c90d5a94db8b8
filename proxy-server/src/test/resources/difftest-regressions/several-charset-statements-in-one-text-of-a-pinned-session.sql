-- Seed 61135, session 8 (2026-12-06): in a session pinned by user variables, SET NAMES latin1; SET collation_connection = 'utf8mb4_unicode_ci'; SET SESSION time_zone = '+05:30' (statement 151) left the proxy's view at latin1_swedish_ci, which it later put on the connection (166 read latin1 where directly utf8mb4_unicode_ci).
-- driver CONNECTOR_J_5_CURSOR (jdbc:mysql, useSSL=false&connectTimeout=5000&socketTimeout=30000&allowMultiQueries=true&useCursorFetch=true&defaultFetchSize=2)
/*   0 */ SET SESSION innodb_lock_wait_timeout = 3;
/*   1 */ LOCK TABLES s8_t WRITE;
/*   2 */ INSERT INTO s8_t (c, n) SELECT CONCAT('sum', COUNT(*)), SUM(n) FROM s8_t;
/*   3 */ SELECT 1/0, CAST('12abc' AS SIGNED), 'back\\slash', 'it''s';
/*   4 */ UNLOCK TABLES;
/*   5 */ -- JDBC prepared: SELECT seq FROM seq_1_to_50 ORDER BY seq LIMIT ?, ?  with [41, 3]
/*   6 */ SELECT FOUND_ROWS(), ROW_COUNT();
/*   7 */ PREPARE p2 FROM 'INSERT INTO s8_t (c, n) VALUES (?, ?)';
/*   8 */ SET @x = 5, @y = 'a"quote';
/*   9 */ EXECUTE p2 USING @x, @y;
/*  10 */ EXECUTE p2 USING @x, @y;
/*  11 */ SELECT 'ab' || 'cd', 'x' || 0;
/*  12 */ DEALLOCATE PREPARE p2;
/*  13 */ -- JDBC prepared: INSERT INTO s8_t (c, n) VALUES (?, ?)  with ['jdbc-2', 5]
/*  14 */ -- JDBC prepared: SELECT ?, CHARSET(?), @@time_zone, ? / 7  with [7, 'p€', 4]
/*  15 */ -- JDBC prepared: SELECT ?, CHARSET(?), @@time_zone, ? / 7  with [3, 'p€', 7]
/*  16 */ -- JDBC prepared: SELECT ROW_COUNT()  with []
/*  17 */ -- JDBC prepared: UPDATE s8_t SET n = ? WHERE id = ?  with [3, 2]
/*  18 */ -- JDBC prepared: INSERT INTO s8_t (c, n) VALUES (?, ?)  with ['jdbc-5', 0]
/*  19 */ -- JDBC prepared: SELECT id, c, n FROM s8_t WHERE id > ? ORDER BY id  with [3]
/*  20 */ -- JDBC prepared: SELECT ROW_COUNT()  with []
/*  21 */ SELECT CONVERT_TZ('2024-03-10 12:34:56', @@time_zone, '+00:00') AS utc, UNIX_TIMESTAMP('2024-03-10 12:34:56');
/*  22 */ SET SESSION max_recursive_iterations = DEFAULT, sql_mode = DEFAULT, time_zone = DEFAULT, tx_isolation = 'READ-COMMITTED';
/*  23 */ SELECT @@sql_mode, @@time_zone, @@max_recursive_iterations, @@group_concat_max_len;
/*  24 */ SELECT SQL_CALC_FOUND_ROWS id, c FROM s8_t ORDER BY id LIMIT 1;
/*  25 */ WITH RECURSIVE r(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM r WHERE k < 20) SELECT COUNT(*), MAX(k) FROM r;
/*  26 */ SELECT FOUND_ROWS();
/*  27 */ SELECT @@autocommit, @@tx_isolation, @@div_precision_increment, @@sql_select_limit, DATABASE(); SELECT c, HEX(c), CHARSET(c) FROM s8_t WHERE c LIKE 'ü%' OR c = 'PLAIN' ORDER BY id; SET SESSION time_zone = '-08:00';
/*  28 */ SHOW WARNINGS;
/*  29 */ SELECT CAST('abc' AS SIGNED), 1/0;
/*  30 */ SHOW WARNINGS;
/*  31 */ LOCK TABLES s8_t WRITE;
/*  32 */ UPDATE s8_t SET ts = '2024-03-10 12:34:56' WHERE id = 2;
/*  33 */ UNLOCK TABLES;
/*  34 */ SET @@session.time_zone = DEFAULT;
/*  35 */ BEGIN;
/*  36 */ UPDATE s8_t SET n = n + 1, d = d / 3 WHERE id <= 0;
/*  37 */ UPDATE s8_t SET n = n WHERE id = 1;
/*  38 */ SELECT CONVERT_TZ('2024-03-10 12:34:56', @@time_zone, '+00:00') AS utc, UNIX_TIMESTAMP('2024-03-10 12:34:56');
/*  39 */ COMMIT;
/*  40 */ SELECT 1/7, 10/3, 2/3 * 3, AVG(n) FROM s8_t;
/*  41 */ PREPARE p2 FROM 'SELECT no_such_column FROM s8_t WHERE ? = ?';
/*  42 */ SET @x = 40, @y = 'back\\slash';
/*  43 */ EXECUTE p2 USING @x, @y;
/*  44 */ SELECT @@sql_mode, @@time_zone, @@max_recursive_iterations, @@group_concat_max_len;
/*  45 */ DEALLOCATE PREPARE p2;
/*  46 */ SELECT @a, @b, @s, @cnt, @l, @proc_out, @v1;
/*  47 */ SET @a = 1, @s = 'it''s', @l = 0;
/*  48 */ UPDATE s8_t SET c = CONCAT(LEFT(c, 6), @l := @l + 1) WHERE id <= 3;
/*  49 */ SELECT @s, HEX(@s), CHARSET(@s), @a + 0.5;
/*  50 */ SELECT @a := @a + 1, @a;
/*  51 */ SELECT @a, @b, @s, @l, @cnt;
/*  52 */ SET @a = 1, @b = 'b', @s = 'reset', @l = 0, @cnt = 0;
/*  53 */ INSERT INTO s8_t (c, n) SELECT CONCAT('sum', COUNT(*)), SUM(n) FROM s8_t;
/*  54 */ SELECT CONVERT_TZ('2024-03-10 12:34:56', @@time_zone, '+00:00') AS utc, UNIX_TIMESTAMP('2024-03-10 12:34:56');
/*  55 */ SET SESSION session_track_state_change = ON, session_track_transaction_info = 'STATE';
/*  56 */ SELECT id, ts, UNIX_TIMESTAMP(ts), d FROM s8_t ORDER BY id;
/*  57 */ SELECT "double quoted";
/*  58 */ SELECT GROUP_CONCAT(c ORDER BY id SEPARATOR '|') FROM s8_t;
/*  59 */ SET CHARACTER SET DEFAULT;
/*  60 */ SELECT id, c, n FROM s8_t ORDER BY id;
/*  61 */ CALL multi(0);
/*  62 */ -- JDBC prepared: SELECT id, c, n FROM s8_t WHERE id > ? ORDER BY id  with [3]
/*  63 */ -- JDBC prepared: INSERT INTO s8_t (c, n) VALUES (?, ?)  with ['jdbc-3', 8]
/*  64 */ -- JDBC prepared: SELECT ROW_COUNT()  with []
/*  65 */ SELECT c, HEX(c), CHARSET(c) FROM s8_t WHERE c LIKE 'ü%' OR c = 'PLAIN' ORDER BY id;
/*  66 */ SET SESSION innodb_lock_wait_timeout = 2; SELECT * FROM no_such_table_s8_t; SET SESSION collation_connection = 'utf8mb4_bin';
/*  67 */ SELECT @@sql_mode, @@time_zone, @@max_recursive_iterations, @@group_concat_max_len;
/*  68 */ SET @a = 3, @s = _latin1 X'E9', @l = 0;
/*  69 */ SELECT COUNT(*), MAX(n) INTO @cnt, @b FROM s8_t;
/*  70 */ SELECT COUNT(*), MAX(n) INTO @cnt, @b FROM s8_t;
/*  71 */ SELECT @a := @a + 1, @a;
/*  72 */ SELECT @a, @b, @s, @l, @cnt;
/*  73 */ LOCK TABLES s8_t WRITE;
/*  74 */ SELECT "double quoted";
/*  75 */ UNLOCK TABLES;
/*  76 */ SET sql_mode = 'ONLY_FULL_GROUP_BY,STRICT_ALL_TABLES';
/*  77 */ SELECT CHARSET('x'), COLLATION('x'), 'a' = 'A', 'é' = 'e', LENGTH('é'), CHAR_LENGTH('é');
/*  78 */ SELECT @@character_set_client, @@character_set_connection, @@character_set_results, @@collation_connection;
/*  79 */ USE `difftest_ü`;
/*  80 */ SELECT DATABASE(), HEX(DATABASE()), @@character_set_client;
/*  81 */ SELECT "double quoted";
/*  82 */ USE difftest_other;
/*  83 */ SELECT GROUP_CONCAT(c ORDER BY id SEPARATOR '|') FROM s8_t;
/*  84 */ INSERT INTO s8_t (c, n) VALUES ('auto', 1);
/*  85 */ SELECT LAST_INSERT_ID();
/*  86 */ SELECT CHARSET('x'), COLLATION('x'), 'a' = 'A', 'é' = 'e', LENGTH('é'), CHAR_LENGTH('é');
/*  87 */ SELECT * FROM no_such_table_s8_t; UPDATE s8_t SET ts = '2024-03-10 12:34:56' WHERE id = 1; SELECT NEXTVAL(app.s8_seq), LASTVAL(app.s8_seq);
/*  88 */ SELECT @@autocommit, @@tx_isolation, @@div_precision_increment, @@sql_select_limit, DATABASE();
/*  89 */ SELECT CONVERT_TZ('2024-03-10 12:34:56', @@time_zone, '+00:00') AS utc, UNIX_TIMESTAMP('2024-03-10 12:34:56');
/*  90 */ INSERT INTO s8_t (c, n) VALUES ('one', 1), ('two', 2);
/*  91 */ SELECT id, c, n FROM s8_t ORDER BY id;
/*  92 */ SELECT LAST_INSERT_ID(), ROW_COUNT();
/*  93 */ SELECT n, difftest_other.take_lock('difftest_lock_8') FROM s8_t WHERE id = 1;
/*  94 */ SELECT GET_LOCK('difftest_lock_8', 0);
/*  95 */ SELECT IS_FREE_LOCK('difftest_lock_8');
/*  96 */ SELECT @a, @b, @s, @cnt, @l, @proc_out, @v1;
/*  97 */ SELECT RELEASE_LOCK('difftest_lock_8');
/*  98 */ SET autocommit = 0;
/*  99 */ SELECT id, ts, UNIX_TIMESTAMP(ts), d FROM s8_t ORDER BY id;
/* 100 */ SELECT @@autocommit, @@tx_isolation, @@div_precision_increment, @@sql_select_limit, DATABASE();
/* 101 */ SELECT c, HEX(c), CHARSET(c) FROM s8_t WHERE c LIKE 'ü%' OR c = 'PLAIN' ORDER BY id;
/* 102 */ COMMIT;
/* 103 */ SET SESSION autocommit = ON;
/* 104 */ SELECT @@character_set_client, @@character_set_connection, @@character_set_results, @@collation_connection;
/* 105 */ START TRANSACTION;
/* 106 */ SELECT @@sql_mode, @@time_zone, @@max_recursive_iterations, @@group_concat_max_len;
/* 107 */ SELECT CHARSET('x'), COLLATION('x'), 'a' = 'A', 'é' = 'e', LENGTH('é'), CHAR_LENGTH('é');
/* 108 */ COMMIT;
/* 109 */ SELECT @a, @b, @s, @cnt, @l, @proc_out, @v1;
/* 110 */ SELECT id, c FROM s8_t ORDER BY id LIMIT 1, 1;
/* 111 */ SELECT @@autocommit, @@tx_isolation, @@div_precision_increment, @@sql_select_limit, DATABASE();
/* 112 */ SELECT FOUND_ROWS(), ROW_COUNT();
/* 113 */ SET cte_max_recursion_depth = 10;
/* 114 */ SELECT CHARSET('x'), COLLATION('x'), 'a' = 'A', 'é' = 'e', LENGTH('é'), CHAR_LENGTH('é');
/* 115 */ SET STATEMENT max_statement_time = 10 FOR UPDATE s8_t SET n = n + 1 WHERE id = 2;
/* 116 */ SELECT @@autocommit, @@tx_isolation, @@div_precision_increment, @@sql_select_limit, DATABASE();
/* 117 */ SELECT CHARSET('x'), COLLATION('x'), 'a' = 'A', 'é' = 'e', LENGTH('é'), CHAR_LENGTH('é');
/* 118 */ SET STATEMENT max_statement_time = 10 FOR UPDATE s8_t SET n = n + 1 WHERE id = 2;
/* 119 */ SELECT plus_one(n), c FROM s8_t ORDER BY id;
/* 120 */ SELECT @fn_out, DATABASE();
/* 121 */ CALL no_such_procedure(2);
/* 122 */ SELECT @proc_out, DATABASE();
/* 123 */ SELECT DATABASE(), (SELECT COUNT(*) FROM s8_t);
/* 124 */ SET SESSION sql_select_limit = 18446744073709551615, max_recursive_iterations = 10, @v2 = '€uro';
/* 125 */ SELECT id, c, n FROM s8_t ORDER BY id;
/* 126 */ SELECT @a, @b, @s, @cnt, @l, @proc_out, @v1;
/* 127 */ SET CHARACTER SET utf8mb4;
/* 128 */ SELECT 'ab' || 'cd', 'x' || 0;
/* 129 */ INSERT INTO s8_t (c, n) VALUES ('seq', NEXTVAL(app.s8_seq));
/* 130 */ SELECT LASTVAL(app.s8_seq), PREVIOUS VALUE FOR app.s8_seq;
/* 131 */ SELECT @@character_set_client, @@character_set_connection, @@character_set_results, @@collation_connection;
/* 132 */ SELECT PREVIOUS VALUE FOR app.s8_seq + 1;
/* 133 */ SET time_zone = '+25:00';
/* 134 */ SELECT 1/7, 10/3, 2/3 * 3, AVG(n) FROM s8_t;
/* 135 */ SET autocommit = ON; SELECT * FROM no_such_table_s8_t;
/* 136 */ SELECT CHARSET('x'), COLLATION('x'), 'a' = 'A', 'é' = 'e', LENGTH('é'), CHAR_LENGTH('é');
/* 137 */ SET @a = 4, @s = 'back\\slash', @l = 0;
/* 138 */ SET @b = CONCAT(@s, @a);
/* 139 */ SELECT @a, @b, @s, @l, @cnt;
/* 140 */ SET @a = 1, @b = 'b', @s = 'reset', @l = 0, @cnt = 0;
/* 141 */ USE difftest_other;
/* 142 */ CALL multi(0);
/* 143 */ USE nosuchdb;
/* 144 */ SELECT LAST_INSERT_ID(570);
/* 145 */ SELECT 1/7, 10/3, 2/3 * 3, AVG(n) FROM s8_t;
/* 146 */ SELECT LAST_INSERT_ID(), ROW_COUNT();
/* 147 */ DO difftest_other.set_out(3);
/* 148 */ SELECT LAST_INSERT_ID(597);
/* 149 */ SELECT DATABASE(), (SELECT COUNT(*) FROM s8_t);
/* 150 */ SELECT LAST_INSERT_ID(), ROW_COUNT();
/* 151 */ SET NAMES latin1; SET collation_connection = 'utf8mb4_unicode_ci'; SET SESSION time_zone = '+05:30';
/* 152 */ START TRANSACTION READ ONLY;
/* 153 */ UPDATE s8_t SET n = n WHERE id = 1;
/* 154 */ SELECT @@sql_mode, @@time_zone, @@max_recursive_iterations, @@group_concat_max_len;
/* 155 */ SELECT DATABASE(), (SELECT COUNT(*) FROM s8_t);
/* 156 */ SELECT @a, @b, @s, @cnt, @l, @proc_out, @v1;
/* 157 */ ROLLBACK;
/* 158 */ SELECT GROUP_CONCAT(c ORDER BY id SEPARATOR '|') FROM s8_t;
/* 159 */ INSERT INTO s8_t (id, c) VALUES (0, 'zero');
/* 160 */ -- JDBC prepared: UPDATE s8_t SET n = ? WHERE id = ?  with [7, 2]
/* 161 */ -- JDBC prepared: SELECT id, c, n FROM s8_t WHERE id > ? ORDER BY id  with [1]
/* 162 */ -- JDBC prepared: SELECT ROW_COUNT()  with []
/* 163 */ DELETE FROM s8_t WHERE id > 3 ORDER BY id LIMIT 1;
/* 164 */ SELECT set_out(3);
/* 165 */ SET @@session.session_track_system_variables = '*';
/* 166 */ SELECT @@character_set_client, @@character_set_connection, @@character_set_results, @@collation_connection;
