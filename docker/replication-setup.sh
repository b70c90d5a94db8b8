#!/bin/sh
# Sets up the compose topology: on the primary the replication, monitor and application users
# and the app schema (all written to the binary log, so the replica gets them too); then points
# the replica at the primary with GTID auto-positioning and waits until it has caught up.
set -eu

primary() { mysql -h primary -uroot -proot-pass --protocol=TCP "$@"; }
replica() { mysql -h replica -uroot -proot-pass --protocol=TCP "$@"; }

primary <<'SQL'
CREATE USER IF NOT EXISTS 'repl'@'%' IDENTIFIED BY 'repl-pass';
GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%';
CREATE USER IF NOT EXISTS 'monitor'@'%' IDENTIFIED BY 'monitor-pass';
GRANT REPLICATION CLIENT, PROCESS ON *.* TO 'monitor'@'%';
CREATE DATABASE IF NOT EXISTS app;
CREATE USER IF NOT EXISTS 'app'@'%' IDENTIFIED BY 'app-pass';
GRANT ALL PRIVILEGES ON app.* TO 'app'@'%';
SQL

replica <<'SQL'
STOP REPLICA;
CHANGE REPLICATION SOURCE TO
  SOURCE_HOST = 'primary', SOURCE_PORT = 3306,
  SOURCE_USER = 'repl', SOURCE_PASSWORD = 'repl-pass',
  SOURCE_AUTO_POSITION = 1, GET_SOURCE_PUBLIC_KEY = 1;
START REPLICA;
SQL

i=0
until [ "$(replica -N -e "SELECT COUNT(*) FROM mysql.user WHERE user = 'app'")" = "1" ]; do
  i=$((i + 1))
  if [ "$i" -ge 60 ]; then
    echo "replica has not caught up with the primary within 60 s:" >&2
    replica -e 'SHOW REPLICA STATUS\G' >&2
    exit 1
  fi
  sleep 1
done
echo "replica is following the primary"
