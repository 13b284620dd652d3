#!/bin/sh
# Measures the machine limits the kernel suites are compared with (see limits.c); run it alone on a quiet machine.
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
out=${TMPDIR:-/tmp}/code-limits
gcc -std=gnu11 -O3 -march=native -o "$out" "$dir/limits.c"
"$out"
