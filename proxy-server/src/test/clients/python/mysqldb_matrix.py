"""Client matrix checks with mysqlclient (MySQLdb). Usage: mysqldb_matrix.py host port user password database [compress]"""

import sys

try:
    import MySQLdb
    import MySQLdb.cursors
    from MySQLdb.constants import CLIENT
except ImportError as missing:
    sys.stderr.write("missing driver: %s; install the Debian package python3-mysqldb\n" % missing)
    sys.exit(3)

import matrix


def connect(m, multi, charset="utf8mb4"):
    return MySQLdb.connect(host=m.host, port=int(m.port), user=m.user, password=m.password, database=m.database,
                           charset=charset, autocommit=True, connect_timeout=10,
                           client_flag=CLIENT.MULTI_STATEMENTS if multi else 0, compress=m.compress)


if __name__ == "__main__":
    matrix.main("mysqldb", connect, lambda c: c.cursor(MySQLdb.cursors.SSCursor), MySQLdb.MySQLError)
