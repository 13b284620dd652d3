#!/usr/bin/env bash
# Runs the official MCP conformance suite against CODE, in each pinned release: the server scenarios against the
# fixture server at SERVER_URL (start it with server.sh PORT), then every client scenario with client.sh, one at a time.
#   0.1.16          baseline.yml      server: the active and pending suites (revisions up to 2025-11-25)
#   0.2.0-alpha.12  baseline-0.2.yml  server: what revision 2026-07-28 requires, then each extension scenario
# Failures listed in a release's baseline are accepted; any other failure, or a listed scenario that passes, fails the
# run. RELEASES (space-separated) runs fewer releases, e.g. RELEASES=0.2.0-alpha.12.
# Usage: run.sh SERVER_URL   (build first: mvn -B package -DskipTests -pl code-examples -am)
set -uo pipefail
[ $# -eq 1 ] || { echo "usage: run.sh SERVER_URL" >&2; exit 2; }
here="$(cd "$(dirname "$0")" && pwd)"
suite="$here/../../scripts/mcp-conformance"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
kept="${CONFORMANCE_KEEP:-$here/../target/conformance}" # a failed scenario's output stays here
failed=()

# server RELEASE BASELINE LABEL ARGS...: one server run, its tally printed
server() {
  local release=$1 baseline=$2 label=$3
  shift 3
  if MCP_CONFORMANCE_VERSION=$release "$suite" server --url "$URL" "$@" --expected-failures "$baseline" \
      > "$out/server.txt" 2>&1; then
    echo "$release server $label: $(grep -E '^(Total|Passed):' "$out/server.txt" | tail -1)"
  else
    failed+=("$release:server-$label"); echo "$release server $label: FAILED"
    grep -E '^Total:|✗|FAILURE|Unexpected|Stale' "$out/server.txt" | head -20
    mkdir -p "$kept" && cp "$out/server.txt" "$kept/$release-server-$label.txt"
    echo "  its whole output: $kept/$release-server-$label.txt"
  fi
}

URL=$1
for release in ${RELEASES:-0.1.16 0.2.0-alpha.12}; do
  case $release in
    0.1.16) baseline="$here/baseline.yml" ;;
    0.2.*) baseline="$here/baseline-0.2.yml" ;;
    *) echo "no baseline for release $release" >&2; exit 2 ;;
  esac
  MCP_CONFORMANCE_VERSION=$release "$suite" list > "$out/list.txt" 2>/dev/null
  if [ "$release" = 0.1.16 ]; then
    for s in active pending; do server "$release" "$baseline" "$s" --suite "$s"; done
  else
    server "$release" "$baseline" "requirements-2026-07-28" --requirements 2026-07-28
    for s in $(sed -n '/^Server scenarios/,/^$/p' "$out/list.txt" | sed -n 's/^  - \([^ ]*\) \[extension\].*/\1/p'); do
      server "$release" "$baseline" "$s" --scenario "$s"
    done
  fi

  scenarios=$(sed -n '/^Client scenarios/,/^$/p' "$out/list.txt" | sed -n 's/^  - \([^ ]*\).*/\1/p')
  passed=0
  for s in $scenarios; do
    if MCP_CONFORMANCE_VERSION=$release "$suite" client --command "$here/client.sh" --scenario "$s" \
        --expected-failures "$baseline" > "$out/client.txt" 2>&1; then
      passed=$((passed + 1))
    else
      failed+=("$release:client:$s"); echo "$release client $s: FAILED"
      grep -E 'FAILURE|Error|Stale|Unexpected' "$out/client.txt" | head -10
      mkdir -p "$kept" && cp "$out/client.txt" "$kept/$release-client-${s//\//_}.txt"
      echo "  its whole output: $kept/$release-client-${s//\//_}.txt; the last lines:"
      tail -25 "$out/client.txt" | sed 's/^/  | /'
    fi
  done
  echo "$release client: $passed of $(echo $scenarios | wc -w) scenarios as expected" \
    "(baseline: $(grep -c '^  - ' "$baseline") entries)"
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "MCP conformance FAILED: ${failed[*]}"
  exit 1
fi
echo "MCP conformance passed"
