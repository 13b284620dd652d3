#!/usr/bin/env bash
# Scores the circle of experts on recorded model replies; see code-benchmarks/README.md.
# usage: code-benchmarks/consensus-eval.sh DATA.jsonl.gz COMMITTEES.json [SEED] [--hard SHARED] [--no-reports]   (after `mvn install -DskipTests`)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
jar="$here/target/benchmarks.jar"
if [[ ! -f "$jar" ]]; then
  echo "consensus-eval: $jar is missing; build first: mvn -B install -DskipTests" >&2
  exit 2
fi
java="${JAVA_HOME:-}"
if [[ -z "$java" || ! -x "$java/bin/java" ]] || ! "$java/bin/java" -version 2>&1 | grep -qE 'version "(2[5-9]|[3-9][0-9])'; then
  java="$(ls -d /usr/lib/jvm/*25* 2>/dev/null | head -1)"
fi
exec "$java/bin/java" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$jar" org.codeengine.benchmarks.experts.ConsensusEval "$@"
