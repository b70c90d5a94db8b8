-- Seed 36059 (2026-12-06), cut down: a cursor, then a text whose second statement warns and whose last uses no table; SHOW WARNINGS ran on another connection.
-- driver CONNECTOR_J_CURSOR
-- JDBC prepared: SELECT n FROM s11_t WHERE id = ?  with [2]
SELECT CAST('abc' AS SIGNED); DO 1;
SHOW WARNINGS;
