#!/usr/bin/env bash
# Runs a main class of code-examples on the module path of the built artifacts (mvn package or verify first), with
# $JAVA or a JDK 25 found where scripts/require-jdk looks. Usage: java.sh CLASS [ARGS...]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
java="${JAVA:-}"
if [ -z "$java" ]; then
  for home in "${JAVA_HOME:-}" /usr/lib/jvm/* /opt/java/* "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*; do
    [ -n "$home" ] && [ -f "$home/release" ] || continue
    major=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then java="$home/bin/java"; break; fi
  done
fi
[ -n "$java" ] || { echo "no JDK 25 found: set JAVA" >&2; exit 1; }
[ -f "$here/target/module-path.txt" ] && [ -d "$here/target/classes" ] || {
  echo "build first: mvn -B package -DskipTests -pl code-examples -am" >&2; exit 1; }
class="$1"; shift
exec "$java" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k \
  -p "$(cat "$here/target/module-path.txt"):$here/target/classes" \
  -m "org.codeengine.examples/$class" "$@"
