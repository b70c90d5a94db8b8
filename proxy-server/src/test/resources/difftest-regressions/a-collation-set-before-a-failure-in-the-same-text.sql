-- Seed 39063, session 0 (2026-12-06): SET NAMES utf8mb4 COLLATE utf8mb4_bin; USE nosuchdb (statement 105) lost the collation, and a later read (163) got utf8mb4_general_ci.
-- driver CONNECTOR_J_CURSOR (jdbc:mysql, sslMode=DISABLED&allowPublicKeyRetrieval=true&connectTimeout=5000&socketTimeout=30000&allowMultiQueries=true&useServerPrepStmts=true&useCursorFetch=true&defaultFetchSize=2)
/*   0 */ SET SESSION innodb_lock_wait_timeout = 3;
/*   1 */ PREPARE p2 FROM 'SELECT ?, @@sql_mode, CHARSET(?), 10/3';
/*   2 */ SET @x = 25, @y = _latin1 X'E9';
/*   3 */ EXECUTE p2 USING @x, @y;
/*   4 */ SELECT CONVERT_TZ('2024-03-10 12:34:56', @@time_zone, '+00:00') AS utc, UNIX_TIMESTAMP('2024-03-10 12:34:56');
/*   5 */ DEALLOCATE PREPARE p2;
/*   6 */ SELECT 'ab' || 'cd', 'x' || 0;
/*   7 */ INSERT INTO s0_t (c, n) VALUES (REPEAT('y', 25), 'abc');
/*   8 */ SELECT CHARSET('x'), COLLATION('x'), 'a' = 'A', 'é' = 'e', LENGTH('é'), CHAR_LENGTH('é');
/*   9 */ SELECT CONVERT_TZ('2024-03-10 12:34:56', @@time_zone, '+00:00') AS utc, UNIX_TIMESTAMP('2024-03-10 12:34:56');
/*  10 */ SELECT LASTVAL(app.s0_seq), PREVIOUS VALUE FOR app.s0_seq;
/*  11 */ USE difftest_other;
/*  12 */ -- JDBC prepared: INSERT INTO s0_t (c, n) VALUES (?, ?)  with ['ps-other', 0]
/*  13 */ SELECT COUNT(*) FROM s0_t;
/*  14 */ CALL multi(1);
/*  15 */ USE `app`;
/*  16 */ XA START 'difftest_xa_s0_t';
/*  17 */ INSERT INTO s0_t (c, n) SELECT CONCAT('sum', COUNT(*)), SUM(n) FROM s0_t;
/*  18 */ SELECT GROUP_CONCAT(c ORDER BY id SEPARATOR '|') FROM s0_t;
/*  19 */ XA END 'difftest_xa_s0_t';
/*  20 */ XA PREPARE 'difftest_xa_s0_t';
/*  21 */ XA COMMIT 'difftest_xa_s0_t';
/*  22 */ SELECT DATABASE(), (SELECT COUNT(*) FROM s0_t);
/*  23 */ -- JDBC reset
/*  24 */ SELECT LAST_INSERT_ID(), ROW_COUNT();
/*  25 */ CALL difftest_other.multi(2);
/*  26 */ SELECT @proc_out, DATABASE();
/*  27 */ SET @@session.tx_isolation = 'REPEATABLE-READ';
/*  28 */ SELECT @@sql_mode, @@time_zone, @@max_recursive_iterations, @@group_concat_max_len;
/*  29 */ SELECT GROUP_CONCAT(c ORDER BY id SEPARATOR '|') FROM s0_t;
/*  30 */ SET @@session.session_track_system_variables = '*';
/*  31 */ SELECT DATABASE(), (SELECT COUNT(*) FROM s0_t);
/*  32 */ SELECT @@sql_mode, @@time_zone, @@max_recursive_iterations, @@group_concat_max_len;
/*  33 */ INSERT INTO s0_t (c, n) VALUES ('one', 1), ('two', 2);
/*  34 */ SELECT LAST_INSERT_ID();
/*  35 */ -- JDBC reset
/*  36 */ SELECT DATABASE(), @@character_set_client, @@collation_connection, @@sql_mode;
/*  37 */ -- JDBC reset
/*  38 */ SELECT DATABASE(), @@character_set_client, @@collation_connection, @@sql_mode;
/*  39 */ SET SESSION sql_mode = 'ANSI', @v1 = 'Ünïcödé';
/*  40 */ SELECT 'ab' || 'cd', 'x' || 0;
/*  41 */ INSERT INTO s0_t (c, n) VALUES ('one', 1), ('two', 2);
/*  42 */ SELECT LAST_INSERT_ID();
/*  43 */ SELECT SQL_CALC_FOUND_ROWS id, c FROM s0_t ORDER BY id LIMIT 1;
/*  44 */ SELECT FOUND_ROWS();
/*  45 */ SELECT GROUP_CONCAT(c) FROM s0_t;
/*  46 */ SELECT 'ab' || 'cd', 'x' || 0;
/*  47 */ SHOW WARNINGS;
/*  48 */ INSERT IGNORE INTO s0_t (id, c) VALUES (1, 'dup');
/*  49 */ SELECT LAST_INSERT_ID();
/*  50 */ SET STATEMENT time_zone = '+01:00', div_precision_increment = 2 FOR SELECT @@time_zone, 1/3, UNIX_TIMESTAMP('2024-03-10 12:34:56');
/*  51 */ SET autocommit = 0;
/*  52 */ SELECT DATABASE(), (SELECT COUNT(*) FROM s0_t);
/*  53 */ SAVEPOINT sp;
/*  54 */ SELECT 'ab' || 'cd', 'x' || 0;
/*  55 */ ROLLBACK TO SAVEPOINT sp;
/*  56 */ SET autocommit = 1;
/*  57 */ SELECT GROUP_CONCAT(c ORDER BY id SEPARATOR '|') FROM s0_t;
/*  58 */ SELECT CONVERT_TZ('2024-03-10 12:34:56', @@time_zone, '+00:00') AS utc, UNIX_TIMESTAMP('2024-03-10 12:34:56');
/*  59 */ SET @a = 8, @s = 'plain', @l = 0;
/*  60 */ UPDATE s0_t SET c = CONCAT(LEFT(c, 6), @l := @l + 1) WHERE id <= 3;
/*  61 */ SELECT COUNT(*), MAX(n) INTO @cnt, @b FROM s0_t;
/*  62 */ SELECT @l, @cnt, @b;
/*  63 */ SELECT @a, @b, @s, @l, @cnt;
/*  64 */ SET @a = 1, @b = 'b', @s = 'reset', @l = 0, @cnt = 0;
/*  65 */ SET NAMES nosuchcharset;
/*  66 */ SELECT 1/7, 10/3, 2/3 * 3, AVG(n) FROM s0_t;
/*  67 */ USE `difftest_ü`;
/*  68 */ SELECT DATABASE(), HEX(DATABASE()), @@character_set_client;
/*  69 */ SET NAMES utf8mb4;
/*  70 */ SELECT GROUP_CONCAT(c ORDER BY id SEPARATOR '|') FROM s0_t;
/*  71 */ SELECT id, c, n FROM s0_t ORDER BY id;
/*  72 */ USE app;
/*  73 */ SET SESSION collation_connection = 'utf8mb4_bin', big_tables = 0;
/*  74 */ SELECT 1/0, CAST('12abc' AS SIGNED), 'back\\slash', 'it''s';
/*  75 */ SET @@session.session_track_system_variables = '*';
/*  76 */ SELECT @@sql_mode, @@time_zone, @@max_recursive_iterations, @@group_concat_max_len;
/*  77 */ CALL multi(2);
/*  78 */ USE difftest_other;
/*  79 */ SELECT DATABASE(), c FROM s0_t ORDER BY id;
/*  80 */ USE nosuchdb;
/*  81 */ SET NAMES latin1; SELECT 1/0; USE nosuchdb;
/*  82 */ -- JDBC prepared: SELECT id, c, n FROM s0_t WHERE id > ? ORDER BY id  with [2]
/*  83 */ -- JDBC prepared: SELECT 'a' = 'A', '1' || '0', "q", COLLATION('x'), n FROM s0_t WHERE id = ?  with [1]
/*  84 */ -- JDBC prepared: SELECT ?, CHARSET(?), @@time_zone, ? / 7  with [0, 'p€', 3]
/*  85 */ SELECT 'ab' || 'cd', 'x' || 0;
/*  86 */ (SELECT id FROM s0_t ORDER BY id LIMIT 2, 2);
/*  87 */ SELECT FOUND_ROWS(), ROW_COUNT();
/*  88 */ SELECT id, c FROM s0_t WHERE id <= 2 ORDER BY id FOR UPDATE;
/*  89 */ SELECT id, c FROM s0_t ORDER BY id;
/*  90 */ SET @counted = 1;
/*  91 */ SELECT FOUND_ROWS();
/*  92 */ INSERT INTO s0_t (c, n) VALUES ('one', 1), ('two', 2);
/*  93 */ SELECT LAST_INSERT_ID();
/*  94 */ SELECT GET_LOCK('difftest_lock_0', 0);
/*  95 */ SELECT IS_FREE_LOCK('difftest_lock_0');
/*  96 */ SELECT CONVERT_TZ('2024-03-10 12:34:56', @@time_zone, '+00:00') AS utc, UNIX_TIMESTAMP('2024-03-10 12:34:56');
/*  97 */ SELECT RELEASE_ALL_LOCKS();
/*  98 */ CREATE TEMPORARY TABLE app.s0_t_tmp (x INT, y VARCHAR(10));
/*  99 */ INSERT INTO app.s0_t_tmp VALUES (1, 'it''s'), (2, 'two');
/* 100 */ SELECT 1/7, 10/3, 2/3 * 3, AVG(n) FROM s0_t;
/* 101 */ SELECT x, y, HEX(y) FROM app.s0_t_tmp ORDER BY x;
/* 102 */ DROP TEMPORARY TABLE app.s0_t_tmp;
/* 103 */ EXECUTE IMMEDIATE CONCAT('SET time_zone = ', QUOTE('+25:00'));
/* 104 */ SELECT @@autocommit, @@tx_isolation, @@div_precision_increment, @@sql_select_limit, DATABASE();
/* 105 */ SET NAMES utf8mb4 COLLATE utf8mb4_bin; USE nosuchdb;
/* 106 */ SELECT FOUND_ROWS(), ROW_COUNT();
/* 107 */ SELECT @a, @b, @s, @cnt, @l, @proc_out, @v1;
/* 108 */ SET STATEMENT time_zone = '+01:00', div_precision_increment = 2 FOR SELECT @@time_zone, 1/3, UNIX_TIMESTAMP('2024-03-10 12:34:56');
/* 109 */ LOCK TABLES s0_t WRITE;
/* 110 */ SELECT @@character_set_client, @@character_set_connection, @@character_set_results, @@collation_connection;
/* 111 */ INSERT INTO s0_t (c, n) SELECT CONCAT('sum', COUNT(*)), SUM(n) FROM s0_t;
/* 112 */ UNLOCK TABLES;
/* 113 */ SELECT seq FROM seq_1_to_50 ORDER BY seq DESC OFFSET 4 ROWS FETCH FIRST 2 ROWS ONLY;
/* 114 */ SELECT FOUND_ROWS(), ROW_COUNT();
/* 115 */ -- JDBC prepared: UPDATE s0_t SET n = ? WHERE id = ?  with [6, 3]
/* 116 */ -- JDBC prepared: SELECT 'a' = 'A', '1' || '0', "q", COLLATION('x'), n FROM s0_t WHERE id = ?  with [2]
/* 117 */ -- JDBC prepared: INSERT INTO s0_t (c, n) VALUES (?, ?)  with ['jdbc-2', 7]
/* 118 */ SELECT id, ts, UNIX_TIMESTAMP(ts), d FROM s0_t ORDER BY id;
/* 119 */ SET @a = 5, @s = 'a"quote', @l = 0;
/* 120 */ SET @b = CONCAT(@s, @a);
/* 121 */ SELECT @a := @a + 1, @a;
/* 122 */ SELECT @a, @b, @s, @l, @cnt;
/* 123 */ SET @a = 1, @b = 'b', @s = 'reset', @l = 0, @cnt = 0;
/* 124 */ USE difftest_other;
/* 125 */ -- JDBC prepared: INSERT INTO s0_t (c, n) VALUES (?, ?)  with ['ps-other', 0]
/* 126 */ SET autocommit = 0;
/* 127 */ UPDATE s0_t SET n = n WHERE id = 1;
/* 128 */ SELECT DATABASE(), (SELECT COUNT(*) FROM s0_t);
/* 129 */ SAVEPOINT sp;
/* 130 */ COMMIT;
/* 131 */ SET autocommit = 1;
/* 132 */ SELECT @@sql_mode, @@time_zone, @@max_recursive_iterations, @@group_concat_max_len;
/* 133 */ USE nosuchdb; INSERT INTO s0_t (id, c) VALUES (0, 'zero');
/* 134 */ -- JDBC prepared: SELECT 'a' = 'A', '1' || '0', "q", COLLATION('x'), n FROM s0_t WHERE id = ?  with [1]
/* 135 */ -- JDBC prepared: INSERT INTO s0_t (c, n) VALUES (?, ?)  with ['jdbc-7', 2]
/* 136 */ -- JDBC prepared: UPDATE s0_t SET n = ? WHERE id = ?  with [2, 2]
/* 137 */ SELECT c, HEX(c), CHARSET(c) FROM s0_t WHERE c LIKE 'ü%' OR c = 'PLAIN' ORDER BY id;
/* 138 */ SELECT CHARSET('x'), COLLATION('x'), 'a' = 'A', 'é' = 'e', LENGTH('é'), CHAR_LENGTH('é');
/* 139 */ CREATE TEMPORARY TABLE app.s0_t_tmp (x INT, y VARCHAR(10));
/* 140 */ INSERT INTO app.s0_t_tmp VALUES (1, X'C3A9'), (2, 'two');
/* 141 */ SELECT @@character_set_client, @@character_set_connection, @@character_set_results, @@collation_connection;
/* 142 */ SELECT x, y, HEX(y) FROM app.s0_t_tmp ORDER BY x;
/* 143 */ SELECT @@character_set_client, @@character_set_connection, @@character_set_results, @@collation_connection;
/* 144 */ USE difftest_other;
/* 145 */ SELECT DATABASE(), c FROM s0_t ORDER BY id;
/* 146 */ SELECT SQL_CALC_FOUND_ROWS id, c FROM s0_t ORDER BY id LIMIT 1;
/* 147 */ SELECT FOUND_ROWS();
/* 148 */ SELECT @a, @b, @s, @cnt, @l, @proc_out, @v1;
/* 149 */ SELECT GROUP_CONCAT(c ORDER BY id SEPARATOR '|') FROM s0_t;
/* 150 */ -- JDBC catalog: difftest_other
/* 151 */ SELECT @a, @b, @s, @cnt, @l, @proc_out, @v1;
/* 152 */ -- JDBC prepared: SELECT 'a' = 'A', '1' || '0', "q", COLLATION('x'), n FROM s0_t WHERE id = ?  with [2]
/* 153 */ -- JDBC prepared: UPDATE s0_t SET n = ? WHERE id = ?  with [8, 2]
/* 154 */ -- JDBC prepared: SELECT ?, CHARSET(?), @@time_zone, ? / 7  with [1, 'p€', 7]
/* 155 */ SELECT GROUP_CONCAT(c ORDER BY id SEPARATOR '|') FROM s0_t;
/* 156 */ SET SESSION cte_max_recursion_depth = 10;
/* 157 */ SELECT c, HEX(c), CHARSET(c) FROM s0_t WHERE c LIKE 'ü%' OR c = 'PLAIN' ORDER BY id;
/* 158 */ SET SESSION sql_mode = 'TRADITIONAL'; SET sql_mode = DEFAULT;
/* 159 */ SELECT "double quoted";
/* 160 */ SELECT id, ts, UNIX_TIMESTAMP(ts), d FROM s0_t ORDER BY id;
/* 161 */ CREATE TEMPORARY TABLE app.s0_t_tmp (x INT, y VARCHAR(10));
/* 162 */ INSERT INTO app.s0_t_tmp VALUES (1, 'it''s'), (2, 'two');
/* 163 */ SELECT @@character_set_client, @@character_set_connection, @@character_set_results, @@collation_connection;
