-- Seed 40015 (2026-12-06), first 119 statements: under LOCK TABLES, the driver's SHOW WARNINGS after a cursor read, then prepared statements set up again under the schema they were prepared in; FOUND_ROWS() was set up from SHOW WARNINGS's rows.
-- driver CONNECTOR_J_5_CURSOR (jdbc:mysql, useSSL=false&connectTimeout=5000&socketTimeout=30000&allowMultiQueries=true&useCursorFetch=true&defaultFetchSize=2)
/*   0 */ SET SESSION innodb_lock_wait_timeout = 3;
/*   1 */ SET NAMES utf8mb4 COLLATE utf8mb4_bin;
/*   2 */ SELECT CONVERT_TZ('2024-03-10 12:34:56', @@time_zone, '+00:00') AS utc, UNIX_TIMESTAMP('2024-03-10 12:34:56');
/*   3 */ USE `difftest_ü`;
/*   4 */ SELECT DATABASE(), HEX(DATABASE()), @@character_set_client;
/*   5 */ SELECT id, c, n FROM s1_t ORDER BY id;
/*   6 */ USE difftest_other;
/*   7 */ SET @a = 3, @s = 'back\\slash', @l = 0;
/*   8 */ SELECT COUNT(*), MAX(n) INTO @cnt, @b FROM s1_t;
/*   9 */ SELECT @a := @a + 1, @a;
/*  10 */ SELECT @a := @a + 1, @a;
/*  11 */ SELECT @a, @b, @s, @l, @cnt;
/*  12 */ SET @a = 2, @s = '', @l = 0;
/*  13 */ SELECT @a := @a + 1, @a;
/*  14 */ UPDATE s1_t SET c = CONCAT(LEFT(c, 6), @l := @l + 1) WHERE id <= 3;
/*  15 */ SELECT @s, HEX(@s), CHARSET(@s), @a + 0.5;
/*  16 */ SELECT @a, @b, @s, @l, @cnt;
/*  17 */ SET @a = 1, @b = 'b', @s = 'reset', @l = 0, @cnt = 0;
/*  18 */ XA START 'difftest_xa_s1_t';
/*  19 */ INSERT INTO s1_t (c, n, ts, d) VALUES (NULL, 86, '2024-03-10 12:34:56', 257/7);
/*  20 */ SELECT c, HEX(c), CHARSET(c) FROM s1_t WHERE c LIKE 'ü%' OR c = 'PLAIN' ORDER BY id;
/*  21 */ XA END 'difftest_xa_s1_t';
/*  22 */ XA COMMIT 'difftest_xa_s1_t' ONE PHASE;
/*  23 */ EXECUTE IMMEDIATE 'SELECT ?, @@time_zone, DATABASE()' USING 1;
/*  24 */ SELECT 'ab' || 'cd', 'x' || 0;
/*  25 */ SET LOCAL sql_select_limit = 2;
/*  26 */ SELECT id, ts, UNIX_TIMESTAMP(ts), d FROM s1_t ORDER BY id;
/*  27 */ SELECT @@character_set_client, @@character_set_connection, @@character_set_results, @@collation_connection;
/*  28 */ -- JDBC prepared: INSERT INTO s1_t (c, n) VALUES (?, ?)  with ['jdbc-2', 3]
/*  29 */ -- JDBC prepared: SELECT id, c, n FROM s1_t WHERE id > ? ORDER BY id  with [0]
/*  30 */ SET @a = 3, @s = 'plain', @l = 0;
/*  31 */ SELECT @l, @cnt, @b;
/*  32 */ UPDATE s1_t SET c = CONCAT(LEFT(c, 6), @l := @l + 1) WHERE id <= 3;
/*  33 */ SELECT @a, @b, @s, @l, @cnt;
/*  34 */ SET @a = 1, @b = 'b', @s = 'reset', @l = 0, @cnt = 0;
/*  35 */ SELECT SETVAL(app.s1_seq, 147);
/*  36 */ SELECT PREVIOUS VALUE FOR app.s1_seq + 1;
/*  37 */ -- JDBC catalog: app
/*  38 */ SELECT @a, @b, @s, @cnt, @l, @proc_out, @v1;
/*  39 */ DROP TABLE IF EXISTS no_such_table_s1_t;
/*  40 */ SELECT @a, @b, @s, @cnt, @l, @proc_out, @v1;
/*  41 */ SHOW ERRORS;
/*  42 */ SET SESSION session_track_system_variables = 'no_such_variable';
/*  43 */ SELECT @@character_set_client, @@character_set_connection, @@character_set_results, @@collation_connection;
/*  44 */ SET NAMES utf8mb4 COLLATE utf8mb4_bin;
/*  45 */ SELECT CONVERT_TZ('2024-03-10 12:34:56', @@time_zone, '+00:00') AS utc, UNIX_TIMESTAMP('2024-03-10 12:34:56');
/*  46 */ USE `difftest_ü`;
/*  47 */ SELECT DATABASE(), HEX(DATABASE()), @@character_set_client;
/*  48 */ SELECT HEX(DATABASE()), @@collation_database;
/*  49 */ USE app;
/*  50 */ SELECT CHARSET('x'), COLLATION('x'), 'a' = 'A', 'é' = 'e', LENGTH('é'), CHAR_LENGTH('é');
/*  51 */ USE difftest_other;
/*  52 */ SELECT DATABASE(), c FROM s1_t ORDER BY id;
/*  53 */ CALL multi(4);
/*  54 */ CALL multi(1);
/*  55 */ USE app;
/*  56 */ SET SESSION div_precision_increment = 99;
/*  57 */ SHOW ERRORS;
/*  58 */ -- JDBC prepared: UPDATE s1_t SET n = ? WHERE id = ?  with [4, 3]
/*  59 */ -- JDBC prepared: SELECT 'a' = 'A', '1' || '0', "q", COLLATION('x'), n FROM s1_t WHERE id = ?  with [1]
/*  60 */ SELECT GET_LOCK('difftest_lock_1', 0);
/*  61 */ SELECT IS_FREE_LOCK('difftest_lock_1');
/*  62 */ SELECT "double quoted";
/*  63 */ SELECT RELEASE_ALL_LOCKS();
/*  64 */ LOCK TABLES s1_t READ;
/*  65 */ SELECT 1/7, 10/3, 2/3 * 3, AVG(n) FROM s1_t;
/*  66 */ SELECT GROUP_CONCAT(c ORDER BY id SEPARATOR '|') FROM s1_t;
/*  67 */ CREATE TEMPORARY TABLE app.s1_t_tmp (x INT, y VARCHAR(10));
/*  68 */ INSERT INTO app.s1_t_tmp VALUES (1, ''), (2, 'two');
/*  69 */ SELECT x, y, HEX(y) FROM app.s1_t_tmp ORDER BY x;
/*  70 */ SELECT "double quoted";
/*  71 */ SELECT @@sql_mode, @@time_zone, @@max_recursive_iterations, @@group_concat_max_len;
/*  72 */ SELECT GET_LOCK('difftest_lock_1', 0);
/*  73 */ SELECT GET_LOCK('difftest_lock_1', 0);
/*  74 */ SELECT IS_FREE_LOCK('difftest_lock_1');
/*  75 */ SELECT RELEASE_LOCK('difftest_lock_1');
/*  76 */ -- JDBC prepared: SELECT ?, CHARSET(?), @@time_zone, ? / 7  with [3, 'p€', 4]
/*  77 */ SELECT id, c, n FROM s1_t ORDER BY id;
/*  78 */ SELECT * FROM no_such_table_s1_t; USE nosuchdb; SET SESSION sql_mode = 'ANSI';
/*  79 */ CREATE TEMPORARY TABLE app.s1_t_tmp (x INT, y VARCHAR(10));
/*  80 */ INSERT INTO app.s1_t_tmp VALUES (1, 'it''s'), (2, 'two');
/*  81 */ SELECT c, HEX(c), CHARSET(c) FROM s1_t WHERE c LIKE 'ü%' OR c = 'PLAIN' ORDER BY id;
/*  82 */ SELECT x, y, HEX(y) FROM app.s1_t_tmp ORDER BY x;
/*  83 */ SELECT "double quoted";
/*  84 */ -- JDBC prepared: SELECT ?, CHARSET(?), @@time_zone, ? / 7  with [5, 'p€', 3]
/*  85 */ -- JDBC prepared: SELECT 'a' = 'A', '1' || '0', "q", COLLATION('x'), n FROM s1_t WHERE id = ?  with [1]
/*  86 */ SELECT id, c, n FROM s1_t ORDER BY id;
/*  87 */ CREATE TEMPORARY TABLE app.s1_t_tmp (x INT, y VARCHAR(10));
/*  88 */ INSERT INTO app.s1_t_tmp VALUES (1, X'C3A9'), (2, 'two');
/*  89 */ WITH RECURSIVE r(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM r WHERE k < 20) SELECT COUNT(*), MAX(k) FROM r;
/*  90 */ SELECT x, y, HEX(y) FROM app.s1_t_tmp ORDER BY x;
/*  91 */ DROP TEMPORARY TABLE app.s1_t_tmp;
/*  92 */ CALL no_such_procedure(3);
/*  93 */ CREATE TEMPORARY TABLE app.s1_t_tmp (x INT, y VARCHAR(10));
/*  94 */ INSERT INTO app.s1_t_tmp VALUES (1, 'it''s'), (2, 'two');
/*  95 */ SELECT 1/7, 10/3, 2/3 * 3, AVG(n) FROM s1_t;
/*  96 */ SELECT x, y, HEX(y) FROM app.s1_t_tmp ORDER BY x;
/*  97 */ DROP TEMPORARY TABLE app.s1_t_tmp;
/*  98 */ -- JDBC prepared: SELECT seq FROM seq_1_to_50 ORDER BY seq DESC OFFSET ? ROWS FETCH NEXT ? ROWS ONLY  with [27, 2]
/*  99 */ SELECT FOUND_ROWS(), ROW_COUNT();
/* 100 */ SELECT id, c FROM s1_t ORDER BY id;
/* 101 */ INSERT INTO s1_t (c, n) VALUES ('counted', 1);
/* 102 */ SELECT FOUND_ROWS();
/* 103 */ SET CHARACTER SET DEFAULT;
/* 104 */ SELECT GROUP_CONCAT(c ORDER BY id SEPARATOR '|') FROM s1_t;
/* 105 */ USE `difftest_ü`;
/* 106 */ SELECT DATABASE(), HEX(DATABASE()), @@character_set_client;
/* 107 */ SELECT HEX(DATABASE()), @@collation_database;
/* 108 */ SELECT seq FROM seq_1_to_50 ORDER BY seq LIMIT 7, 3;
/* 109 */ SELECT FOUND_ROWS(), ROW_COUNT();
/* 110 */ INSERT INTO s1_t (c, n, ts, d) VALUES ('it''s', 31, '2024-03-10 12:34:56', 10/7);
/* 111 */ SELECT 1/7, 10/3, 2/3 * 3, AVG(n) FROM s1_t;
/* 112 */ SELECT SETVAL(app.s1_seq, 147);
/* 113 */ -- JDBC prepared: INSERT INTO s1_t (c, n) VALUES (?, ?)  with ['jdbc-2', 1]
/* 114 */ -- JDBC prepared: SELECT id, c, n FROM s1_t WHERE id > ? ORDER BY id  with [0]
/* 115 */ -- JDBC prepared: SELECT id, c, n FROM s1_t WHERE id > ? ORDER BY id  with [0]
/* 116 */ SELECT id, c, n FROM s1_t ORDER BY id;
/* 117 */ SELECT NEXTVAL(app.s1_seq), LASTVAL(app.s1_seq); SELECT FOUND_ROWS(), ROW_COUNT();
/* 118 */ SELECT FOUND_ROWS(), ROW_COUNT();
