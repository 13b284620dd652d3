#!/bin/sh
# Compiles the kernels into OUT/META-INF/native/<os>-<arch>/libcodekernels.so when the C compiler CC is present, and
# otherwise says so and leaves the library out (the plugin then reports that it has no library and steps aside).
# A build whose sources, script and compiler are those of the last one copies the library it kept in WORK_DIR instead
# of compiling again, so a warm `mvn package` with nothing changed takes no compiler time.
# Usage: build.sh CC OUT_DIR WORK_DIR
set -eu
cc=$1
out=$2
work=$3
src=$(cd "$(dirname "$0")" && pwd)
stale() { rm -rf "$out/META-INF/native"; } # no library left from an earlier build

if ! command -v "$cc" >/dev/null 2>&1; then
  echo "code-plugin-native: no C compiler '$cc'; building without the native library (the plugin steps aside)"
  stale
  exit 0
fi

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=macos ;;
  *) echo "code-plugin-native: no native build for $(uname -s)"; stale; exit 0 ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=x86_64 ;;
  aarch64 | arm64) arch=aarch64 ;;
  *) echo "code-plugin-native: no native build for $(uname -m)"; stale; exit 0 ;;
esac

lib="META-INF/native/$os-$arch/libcodekernels.so"
# what the library is made from: this script, the C sources, the compiler and the platform
stamp=$( (cat "$0" "$src"/*.c "$src"/*.h 2>/dev/null; command -v "$cc"; "$cc" --version 2>&1; echo "$os-$arch") | cksum)
if [ -f "$work/stamp" ] && [ -f "$work/libcodekernels.so" ] && [ "$(cat "$work/stamp")" = "$stamp" ]; then
  if ! cmp -s "$work/libcodekernels.so" "$out/$lib"; then # kept as it is, so the jar need not change either
    mkdir -p "$out/META-INF/native/$os-$arch"
    cp "$work/libcodekernels.so" "$out/$lib"
  fi
  echo "code-plugin-native: $lib is up to date (sources unchanged)"
  exit 0
fi
rm -f "$work/stamp"
stale

mkdir -p "$work" "$out/META-INF/native/$os-$arch"
common="-std=gnu11 -O3 -fPIC -fvisibility=hidden -fno-math-errno -Wall -Wextra -Werror"
objects=""
build() { # tier, lanes, tile rows, tile vectors of columns (lanes * them divides 64), flags
  "$cc" $common -DTIER="$1" -DVL="$2" -DTR="$3" -DTC="$4" $5 -c "$src/kernels.c" -o "$work/kernels-$1.o"
  objects="$objects $work/kernels-$1.o"
}
if [ "$arch" = x86_64 ]; then
  build portable 4 6 2 "-march=x86-64 -mtune=generic"
  build avx2 8 6 2 "-march=x86-64-v3 -mtune=generic"
  build avx512 16 6 4 "-march=x86-64-v4 -mtune=generic -mprefer-vector-width=512"
else
  build portable 4 6 2 ""  # NEON is the baseline of arm64: 4 floats per vector
  build avx2 4 6 2 ""      # the same code under every name, so the Java side finds each tier
  build avx512 4 6 2 ""
fi
"$cc" $common -c "$src/dispatch.c" -o "$work/dispatch.o"
# shellcheck disable=SC2086
"$cc" -shared -o "$work/libcodekernels.so" $objects "$work/dispatch.o"
cp "$work/libcodekernels.so" "$out/$lib"
echo "$stamp" > "$work/stamp"
echo "code-plugin-native: built $lib with $("$cc" -dumpfullversion 2>/dev/null || echo "$cc")"
