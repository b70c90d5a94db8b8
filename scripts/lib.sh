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
