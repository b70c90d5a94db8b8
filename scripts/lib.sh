# Shared helpers for the scripts in this folder. Source it; do not run it.

# Sets JAVA_HOME to a JDK >= 21: $JAVA_HOME if it qualifies, else the newest under /usr/lib/jvm.
switchyard_find_jdk() {
  local candidate version
  for candidate in "${JAVA_HOME:-}" $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
    [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ] || continue
    version=$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 \
      | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
    if [ -n "$version" ] && [ "$version" -ge 21 ]; then
      export JAVA_HOME="${candidate%/}"
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  echo "error: Switchyard needs a JDK 21 or newer; none found in \$JAVA_HOME or /usr/lib/jvm." >&2
  echo "       Install one (e.g. 'apt-get install openjdk-21-jdk' or Temurin 21+) and retry." >&2
  return 1
}

# Makes sure a Debian package's command exists; installs the package when running as root.
switchyard_require() {
  local command=$1 package=$2
  if command -v "$command" >/dev/null 2>&1 || [ -x "/usr/sbin/$command" ]; then
    return 0
  fi
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing $package (for $command) ..." >&2
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package"; } >&2; then
      echo "error: 'apt-get install $package' failed; install it by hand and retry." >&2
      return 1
    fi
    return 0
  fi
  echo "error: '$command' is missing. Install the '$package' package (as root: apt-get install $package) and retry." >&2
  return 1
}

# Makes sure a Debian package is installed where no command tells (a Python module, a Perl module,
# a PHP extension): runs the probe command after the package name, and installs the package when
# the probe fails and we run as root.
switchyard_require_probe() {
  local package=$1
  shift
  if "$@" >/dev/null 2>&1; then
    return 0
  fi
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing $package ..." >&2
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package"; } >&2; then
      echo "error: 'apt-get install $package' failed; install it by hand and retry." >&2
      return 1
    fi
    return 0
  fi
  echo "error: '$*' fails. Install the '$package' package (as root: apt-get install $package) and retry." >&2
  return 1
}

# Installs what the client matrix (proxy-server/src/test/clients, ClientMatrixTest) runs: the
# Python, Perl and PHP drivers from Debian packages, and the Node.js drivers with 'npm ci' from
# the lock file (again only when package-lock.json changed since the last install).
switchyard_client_matrix_deps() {
  local node_dir=proxy-server/src/test/clients/node
  switchyard_require_probe python3-pymysql /usr/bin/python3 -c 'import pymysql'
  switchyard_require_probe python3-mysqldb /usr/bin/python3 -c 'import MySQLdb'
  switchyard_require_probe libdbd-mysql-perl perl -MDBD::mysql -e 1
  switchyard_require_probe libdbd-mariadb-perl perl -MDBD::MariaDB -e 1
  switchyard_require php php-cli
  switchyard_require_probe php-mysql php -r 'exit(extension_loaded("mysqli") && extension_loaded("pdo_mysql") ? 0 : 1);'
  switchyard_require node nodejs
  switchyard_require npm npm
  if [ ! "$node_dir/node_modules/.package-lock.json" -nt "$node_dir/package-lock.json" ]; then
    echo "installing the Node.js drivers of the client matrix (npm ci in $node_dir) ..." >&2
    if ! (cd "$node_dir" && npm ci --no-audit --no-fund >&2); then
      echo "error: 'npm ci' failed in $node_dir; it needs the npm registry." >&2
      return 1
    fi
  fi
}

# A TCP port on 127.0.0.1 that nothing listens on, different from the ones already taken here;
# below the kernel's ephemeral range (32768 up), where a run's many client sockets leave ports
# in TIME_WAIT that a server could not bind.
switchyard_taken_ports=" "
switchyard_free_port() {
  local port i
  for i in $(seq 1 100); do
    port=$((10000 + RANDOM % 22000))
    case $switchyard_taken_ports in *" $port "*) continue ;; esac
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      switchyard_taken_ports="$switchyard_taken_ports$port "
      echo "$port"
      return 0
    fi
  done
  echo "error: found no free TCP port on 127.0.0.1" >&2
  return 1
}
