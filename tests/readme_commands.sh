#!/bin/sh
# The README's two commands (the first two ```sh blocks) must be exactly the
# commands .ci/run executes, so that what the README promises is what CI
# proves.
set -eu
root=$1
cmds=$(awk '/^```sh$/ { inblock = 1; next } /^```$/ { inblock = 0; n++; if (n == 2) exit; next }
            inblock { print }' "$root/README.md")
count=$(printf '%s\n' "$cmds" | grep -c . || true)
[ "$count" -eq 2 ] || { echo "README: expected two one-line commands first, found:"; printf '%s\n' "$cmds"; exit 1; }
printf '%s\n' "$cmds" | while IFS= read -r line; do
  if ! grep -qxF -- "$line" "$root/.ci/run"; then
    echo "README command not run by .ci/run: $line"
    exit 1
  fi
  echo "ok: $line"
done
