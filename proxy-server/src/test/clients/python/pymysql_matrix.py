"""Client matrix checks with PyMySQL. Usage: pymysql_matrix.py host port user password database

PyMySQL has no protocol compression, so the script takes no "compress" argument.
"""

import sys

try:
    import pymysql
    import pymysql.cursors
    from pymysql.constants import CLIENT
except ImportError as missing:
    sys.stderr.write("missing driver: %s; install the Debian package python3-pymysql\n" % missing)
    sys.exit(3)

import matrix


def connect(m, multi, charset="utf8mb4"):
    return pymysql.connect(host=m.host, port=int(m.port), user=m.user, password=m.password, database=m.database,
                           charset=charset, autocommit=True, connect_timeout=10,
                           client_flag=CLIENT.MULTI_STATEMENTS if multi else 0)


if __name__ == "__main__":
    matrix.main("pymysql", connect, lambda c: c.cursor(pymysql.cursors.SSCursor), pymysql.MySQLError, can_compress=False)
