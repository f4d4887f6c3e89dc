#!/bin/sh
# Render ecs-sim's pictures of the examples to PNG with headless Chromium
# (Debian: apt-get install chromium), for docs/. Run from the repository
# root after building: sh tools/render_pictures.sh
set -eu
out=${1:-docs}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for ex in quickstart deployments; do
  ./build/tools/ecs-sim --pretty --color=never --timeline "$tmp/$ex-timeline.svg" \
      --cluster-map "$tmp/$ex-cluster-map.svg" "examples/$ex.jsonl" >/dev/null
  for pic in timeline cluster-map; do
    svg="$tmp/$ex-$pic.svg"
    w=$(grep -o 'width="[0-9]*"' "$svg" | head -1 | tr -dc 0-9)
    h=$(grep -o 'height="[0-9]*"' "$svg" | head -1 | tr -dc 0-9)
    chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="$w,$h" \
        --screenshot="$out/$ex-$pic.png" "file://$svg" >/dev/null 2>&1
    echo "$out/$ex-$pic.png"
  done
done
