"""The client matrix checks for a Python DB-API driver (PyMySQL or mysqlclient).

Each check prints one line, "PASS <check> <observed values>", "FAIL <check> <observed values>"
or "SKIP <check> <why>", with nothing in it that differs between two runs against the same
server (no connection ids, no timings), so the output of a run against MariaDB directly and one
through the proxy can be compared line for line.
"""

import sys

TEXT = "emoji \U0001F600 \u6f22\u5b57 \u00f1"


def line(ok, check, observed):
    print(("PASS " if ok else "FAIL ") + check + " " + observed, flush=True)


def error_text(error):
    """Code and message; neither driver exposes the SQLSTATE, hence "n/a" in its place."""
    code = error.args[0] if error.args else "?"
    message = error.args[1] if len(error.args) > 1 else str(error)
    return "error %s n/a %s" % (code, message)


class Matrix:
    """Runs the checks with a driver described by a few callables (see pymysql_matrix.py).

    With compress set, connect opens every connection with the driver's compression option.
    """

    def __init__(self, name, connect, stream_cursor, error_class, args, compress=False):
        self.name = name
        self.connect = connect
        self.stream_cursor = stream_cursor
        self.error_class = error_class
        self.host, self.port, self.user, self.password, self.database = args
        self.compress = compress
        self.table = "cm_" + name
        self.main = None
        self.other = None

    def query(self, connection, sql, params=None):
        cursor = connection.cursor()
        try:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else cursor.rowcount
        finally:
            cursor.close()

    def check(self, name, body):
        try:
            ok, observed = body()
        except self.error_class as e:
            ok, observed = False, error_text(e)
        line(ok, name, observed)
        if self.other is not None:
            self.poke_other()

    def poke_other(self):
        """The second session runs a statement between two checks, so pooled backend connections change hands."""
        self.query(self.other, "SELECT COUNT(*) FROM seq_1_to_10")

    def run(self):
        main = self.connect(self, multi=True)
        self.main = main
        self.check("connect", self.connected)
        self.other = self.connect(self, multi=False)
        self.query(self.other, "SET SESSION time_zone = '+05:00'")
        self.query(self.other, "SET NAMES latin1")
        self.check("session", self.session)
        self.check("utf8mb4", self.utf8mb4)
        print("SKIP prepared the driver has no server-side prepared statements", flush=True)
        self.check("stream", self.stream)
        self.check("error-then-ok", self.error_then_ok)
        self.check("failed-set", self.failed_set)
        self.check("user-variable-update", self.user_variable_update)
        self.check("handshake-charset", self.handshake_charset)
        self.check("multi-statements", self.multi)
        self.check("main-session-state", self.main_state)
        self.check("other-session-state", self.other_state)
        self.other.close()
        main.close()

    def connected(self):
        db, user, autocommit = self.query(self.main, "SELECT DATABASE(), CURRENT_USER(), @@autocommit")[0]
        ok, observed = db == self.database, "db=%s user=%s autocommit=%s" % (db, user, autocommit)
        if self.compress:
            # A compression option the driver ignores leaves the status OFF, which fails the direct run.
            rows = self.query(self.main, "SHOW SESSION STATUS LIKE 'Compression'")
            compression = rows[0][1] if rows else "none"
            ok = ok and compression == "ON"
            observed += " compression=" + compression
        return ok, observed

    def session(self):
        row = self.query(self.main, "SELECT @@character_set_client, @@character_set_connection, "
                                    "@@character_set_results, @@collation_connection, @@time_zone, @@sql_mode")[0]
        return row[0] == "utf8mb4", "client=%s connection=%s results=%s collation=%s time_zone=%s sql_mode=%s" % tuple(row)

    def utf8mb4(self):
        t = self.table + "_text"
        self.query(self.main, "CREATE OR REPLACE TABLE %s (id INT PRIMARY KEY, s VARCHAR(40)) CHARACTER SET utf8mb4" % t)
        self.query(self.main, "INSERT INTO " + t + " VALUES (1, %s)", (TEXT,))
        s, length, hexed, charset = self.query(
            self.main, "SELECT s, CHAR_LENGTH(s), HEX(s), @@character_set_client FROM " + t + " WHERE id = 1")[0]
        literal = self.query(self.main, "SELECT CHAR_LENGTH('" + TEXT + "')")[0][0]
        ok = s == TEXT and length == 12 and literal == 12 and charset == "utf8mb4"
        return ok, "same=%s char_length=%s literal_char_length=%s hex=%s character_set_client=%s" % (
            s == TEXT, length, literal, hexed, charset)

    def stream(self):
        cursor = self.stream_cursor(self.main)
        count = total = lengths = 0
        try:
            cursor.execute("SELECT seq, CONCAT('row-', seq) FROM seq_1_to_200000")
            for seq, text in cursor:
                count += 1
                total += seq
                lengths += len(text)
        finally:
            cursor.close()
        expected = self.query(self.main, "SELECT COUNT(*), SUM(seq), SUM(LENGTH(CONCAT('row-', seq))) FROM seq_1_to_200000")[0]
        observed = (count, total, lengths)
        return observed == tuple(int(v) for v in expected), "rows=%d sum=%d lengths=%d" % observed

    def multi(self):
        cursor = self.main.cursor()
        sets = []
        try:
            cursor.execute("SELECT 1 AS a; DO 0; SELECT 'b', 2 UNION ALL SELECT 'c', 3; SELECT NULL")
            while True:
                if cursor.description:
                    sets.append(";".join(",".join(str(v) for v in row) for row in cursor.fetchall()))
                if not cursor.nextset():
                    break
        finally:
            cursor.close()
        after = self.query(self.main, "SELECT 'after'")[0][0]
        observed = " | ".join(sets) + " then " + after
        return observed == "1 | b,2;c,3 | None then after", observed

    def error_then_ok(self):
        try:
            self.query(self.main, "SELECT * FROM cm_missing_" + self.name)
            failed = "no error"
        except self.error_class as e:
            failed = error_text(e)
        after = self.query(self.main, "SELECT 'after'")[0][0]
        return failed.startswith("error 1146") and after == "after", failed + " then " + after

    def failed_set(self):
        """On a session of its own, so that what a failed SET leaves behind shows here and nowhere else."""
        session = self.connect(self, multi=False)
        try:
            self.query(session, "SET SESSION max_recursive_iterations = 1000000")
            try:
                self.query(session, "SET SESSION cte_max_recursion_depth = 1000000")
                second = "no error"
            except self.error_class as e:
                second = error_text(e)
            results = []
            for sql in ("WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 100000) SELECT COUNT(*) FROM r",
                        "SELECT @@max_recursive_iterations", "SELECT 'later'"):
                try:
                    results.append(str(self.query(session, sql)[0][0]))
                except self.error_class as e:
                    results.append(error_text(e))
        finally:
            session.close()
        observed = "second_set=" + second + " cte=%s iterations=%s later=%s" % tuple(results)
        return second.startswith("error 1193") and results == ["100000", "1000000", "later"], observed

    def handshake_charset(self):
        """Two sessions that ask for latin1 when they connect; one changes to utf8mb4, the other must stay latin1."""
        changed, kept = self.connect(self, multi=False, charset="latin1"), self.connect(self, multi=False, charset="latin1")
        try:
            self.query(changed, "SET NAMES utf8mb4")
            rounds = []
            for _ in range(3):
                a = self.query(changed, "SELECT @@character_set_client")[0][0]
                b = "/".join(self.query(kept, "SELECT @@character_set_client, @@character_set_results")[0])
                rounds.append(a + "+" + b)
        finally:
            changed.close()
            kept.close()
        return all(r == "utf8mb4+latin1/latin1" for r in rounds), " ".join(rounds)

    def user_variable_update(self):
        t = self.table + "_uv"
        self.query(self.main, "CREATE OR REPLACE TABLE %s (id INT PRIMARY KEY, name VARCHAR(20))" % t)
        self.query(self.main, "INSERT INTO %s VALUES (1, 'a'), (2, 'b'), (3, 'c')" % t)
        self.query(self.main, "SET @l = 1")
        changed = self.query(self.main, "UPDATE %s SET name = CONCAT(name, @l := @l + 1) ORDER BY id" % t)
        names, last = self.query(self.main, "SELECT GROUP_CONCAT(IFNULL(name, 'NULL') ORDER BY id), @l FROM " + t)[0]
        return names == "a2,b3,c4" and last == 4, "changed=%s names=%s @l=%s" % (changed, names, last)

    def main_state(self):
        row = self.query(self.main, "SELECT @@time_zone, @@max_recursive_iterations, @@character_set_client, @l")[0]
        return row == ("SYSTEM", 1000, "utf8mb4", 4), "time_zone=%s iterations=%s character_set_client=%s @l=%s" % tuple(row)

    def other_state(self):
        row = self.query(self.other, "SELECT @@time_zone, @@character_set_client, @l")[0]
        return row == ("+05:00", "latin1", None), "time_zone=%s character_set_client=%s @l=%s" % tuple(row)


def arguments(can_compress):
    """host, port, user, password, database, and whether to compress (an optional sixth argument, "compress")."""
    args = sys.argv[1:]
    if len(args) == 5:
        return args, False
    if can_compress and len(args) == 6 and args[5] == "compress":
        return args[:5], True
    if can_compress:
        sys.stderr.write("usage: %s host port user password database [compress]\n" % sys.argv[0])
    else:
        sys.stderr.write("usage: %s host port user password database (the driver has no protocol compression)\n"
                         % sys.argv[0])
    sys.exit(2)


def main(name, connect, stream_cursor, error_class, can_compress=True):
    """Runs the checks; connect(matrix, multi, charset="utf8mb4") reads matrix.compress when can_compress."""
    args, compress = arguments(can_compress)
    Matrix(name, connect, stream_cursor, error_class, args, compress).run()
