#!/bin/sh
# Fails when the library has writable global or static data: objects in
# .data or .bss sections (tables of pointers in .data.rel.ro are read-only
# after relocation and fine). libecs keeps all state in the handles the host
# owns.
set -eu
lib=$1
bad=$(objdump -t "$lib" 2>/dev/null | awk '
  $0 ~ /[ \t]O[ \t]/ {
    for (i = 1; i <= NF; i++) if ($i == "O") { sec = $(i + 1); break }
    if (sec ~ /^\.(data|bss|tbss|tdata)($|\.)/ && sec !~ /^\.data\.rel\.ro/) print
  }' || true)
if [ -n "$bad" ]; then
  echo "check_no_globals: writable data in $lib:"
  printf '%s\n' "$bad"
  exit 1
fi
echo "check_no_globals: no writable global or static data in $lib"
