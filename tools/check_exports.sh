#!/bin/sh
# Fails when the shared library exports a symbol whose name does not start
# with ecs_ (hidden visibility must keep every internal name private).
set -eu
lib=$1
syms=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDRBVW]$/ { print $3 }')
[ -n "$syms" ] || { echo "check_exports: no exported symbols found in $lib"; exit 1; }
bad=$(printf '%s\n' "$syms" | grep -v '^ecs_' || true)
if [ -n "$bad" ]; then
  echo "check_exports: $lib exports names outside the ecs_ prefix:"
  printf '  %s\n' $bad
  exit 1
fi
internal=$(printf '%s\n' "$syms" | grep '__' || true)
if [ -n "$internal" ]; then
  echo "check_exports: $lib exports library-internal (ecs_module__name) symbols:"
  printf '  %s\n' $internal
  exit 1
fi
echo "check_exports: $(printf '%s\n' "$syms" | wc -l) symbols, all public ecs_* names"
