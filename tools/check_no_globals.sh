#!/bin/sh
# Fails when the library has writable global or static data (nm types b, B,
# d, D): libecs keeps all state in the handles the host owns.
set -eu
lib=$1
bad=$(nm -A "$lib" 2>/dev/null | awk '$(NF-1) ~ /^[bBdD]$/' || true)
if [ -n "$bad" ]; then
  echo "check_no_globals: writable data in $lib:"
  printf '%s\n' "$bad"
  exit 1
fi
echo "check_no_globals: no writable global or static data in $lib"
