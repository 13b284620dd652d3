#!/usr/bin/env bash
# Runs the official MCP conformance suite against CODE: the server scenarios (active suite, then pending) against the
# fixture server at SERVER_URL (start it with server.sh PORT), then every client scenario with client.sh, one at a time.
# Failures listed in baseline.yml are accepted; any other failure, or a listed scenario that passes, fails the run.
# Usage: run.sh SERVER_URL   (build first: mvn -B package -DskipTests -pl code-examples -am)
set -uo pipefail
[ $# -eq 1 ] || { echo "usage: run.sh SERVER_URL" >&2; exit 2; }
here="$(cd "$(dirname "$0")" && pwd)"
suite="$here/../../scripts/mcp-conformance"
baseline="$here/baseline.yml"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
failed=()

for s in active pending; do
  if "$suite" server --url "$1" --suite "$s" --expected-failures "$baseline" > "$out/server-$s.txt" 2>&1; then
    echo "server $s: $(grep -E '^Total:' "$out/server-$s.txt")"
  else
    failed+=("server-$s"); echo "server $s: FAILED"; grep -E '✗|FAILURE|Unexpected|Stale' "$out/server-$s.txt" | head -20
  fi
done

scenarios=$("$suite" list 2>/dev/null | sed -n '/^Client scenarios/,$p' | sed -n 's/^  - \([^ ]*\).*/\1/p')
passed=0
for s in $scenarios; do
  if "$suite" client --command "$here/client.sh" --scenario "$s" --expected-failures "$baseline" \
      > "$out/client.txt" 2>&1; then
    passed=$((passed + 1))
  else
    failed+=("client:$s"); echo "client $s: FAILED"; grep -E 'FAILURE|Error|Stale|Unexpected' "$out/client.txt" | head -10
  fi
done
echo "client: $passed of $(echo $scenarios | wc -w) scenarios as expected (baseline: $(grep -c '^  - ' "$baseline"))"

if [ ${#failed[@]} -gt 0 ]; then
  echo "MCP conformance FAILED: ${failed[*]}"
  exit 1
fi
echo "MCP conformance passed"
