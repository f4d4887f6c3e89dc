#!/bin/sh
# Install the built library into a scratch prefix, then build and run a
# small host program against it twice: through find_package(ecs) (shared and
# static) and through pkg-config.
# Usage: run.sh BUILD_DIR THIS_DIR WORK_DIR C_COMPILER
set -eu
build=$1 here=$2 work=$3 cc=$4
rm -rf "$work"
mkdir -p "$work"
prefix="$work/prefix"
cmake --install "$build" --prefix "$prefix" >"$work/install.log"

echo "== find_package(ecs)"
cmake -S "$here/find_package" -B "$work/fp" -DCMAKE_C_COMPILER="$cc" \
      -DCMAKE_PREFIX_PATH="$prefix" >"$work/fp-configure.log"
cmake --build "$work/fp" >"$work/fp-build.log"
"$work/fp/consumer_shared"
"$work/fp/consumer_static"
# the shared consumer must really use the shared library
ldd "$work/fp/consumer_shared" | grep -q "$prefix" || {
  echo "consumer_shared is not linked against $prefix"; exit 1; }

echo "== pkg-config ecs"
pcdir=$(dirname "$(find "$prefix" -name ecs.pc | head -n 1)")
PKG_CONFIG_PATH=$pcdir
export PKG_CONFIG_PATH
libdir=$(pkg-config --variable=libdir ecs)
# shellcheck disable=SC2046
"$cc" -o "$work/consumer_pc" "$here/consumer.c" $(pkg-config --cflags --libs ecs) \
      "-Wl,-rpath,$libdir"
"$work/consumer_pc"
echo "pkg-config: ecs $(pkg-config --modversion ecs)"
