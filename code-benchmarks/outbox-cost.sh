#!/usr/bin/env bash
# OutboxCostBenchmark in alternating runs (issue 18): per store and round, one JMH run with events=none and one with
# events=outbox, their order swapped every round, so both meet the same machine load; prints each round's median step
# write (p0.50 of -bm sample) and the ratio outbox / none, then the median ratio. With --baseline OLD.jar, each round
# runs an earlier build's jar the same way right after this one. Build the jar first (see README.md); JAVA_HOME (or the
# java on the PATH) must be a JDK 25. Options: --rounds N (default 3), --stores 'h2 postgres', --baseline OLD.jar.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
rounds=3
stores="h2 postgres"
baseline=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --stores) stores="$2"; shift 2 ;;
    --baseline) baseline="$2"; shift 2 ;;
    *) echo "unknown option: $1 (see the comment at the top of $0)" >&2; exit 2 ;;
  esac
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# the p0.50 of one JMH run, in µs
# (one JMH at a time on a shared machine: it waits for /tmp/jmh.lock, and again while JMH finds another holding it)
p50() {
  until flock /tmp/jmh.lock "$java" -jar "$1" OutboxCostBenchmark -p store="$2" -p events="$3" -f 1 -wi 2 -w 1s \
      -i 5 -r 1s -bm sample -rf csv -rff "$work/run.csv" > "$work/run.log" 2>&1; do
    grep -q 'Unable to acquire the JMH lock' "$work/run.log" || { cat "$work/run.log" >&2; exit 1; }
    sleep 5
  done
  grep -m1 'bytes per step write' "$work/run.log" | sed 's/^/    /' >&2
  awk -F, '$1 ~ /stepWrite.*p0\.50"$/ { print $5 }' "$work/run.csv"
}

echo "load before: $(uptime)"
for store in $stores; do
  for build in this ${baseline:+baseline}; do
    : > "$work/ratios-$store-$build"
  done
  for round in $(seq "$rounds"); do
    for build in this ${baseline:+baseline}; do
      jar="$here/target/benchmarks.jar"
      [ "$build" = baseline ] && jar="$baseline"
      if [ $((round % 2)) -eq 1 ]; then
        none=$(p50 "$jar" "$store" none); outbox=$(p50 "$jar" "$store" outbox)
      else
        outbox=$(p50 "$jar" "$store" outbox); none=$(p50 "$jar" "$store" none)
      fi
      ratio=$(awk -v a="$outbox" -v b="$none" 'BEGIN { printf "%.3f", a / b }')
      echo "$ratio" >> "$work/ratios-$store-$build"
      printf '%-9s %-8s round %d: none %9.1f µs, outbox %9.1f µs, outbox / none %s (load %s)\n' "$store" "$build" \
        "$round" "$none" "$outbox" "$ratio" "$(cut -d' ' -f1-3 /proc/loadavg)"
    done
  done
  for build in this ${baseline:+baseline}; do
    printf '%-9s %-8s median outbox / none over %d rounds: %s\n' "$store" "$build" "$rounds" \
      "$(sort -n "$work/ratios-$store-$build" | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }')"
  done
done
echo "load after: $(uptime)"
