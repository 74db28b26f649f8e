#!/usr/bin/env bash
# Screenshot of the studio in a real sixel terminal (xterm -ti vt340 under Xvfb) for the README.
# Usage: tools/studio_screenshot.sh PROJECT.zoetrope.json OUT.png [SECONDS]
#   Waits SECONDS (default 12) after opening so the generation can finish, then photographs the xterm window.
# Needs: Xvfb, xterm, imagemagick (import, convert), DejaVu Sans Mono; a built zoetrope (swift build -c release).
set -euo pipefail
project=${1:?project file}; out=${2:?output png}; wait=${3:-12}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${ZOETROPE_BIN:-$root/.build/release/zoetrope}
display=""
for n in $(seq 150 199); do [ -e /tmp/.X11-unix/X$n ] || [ -e /tmp/.X$n-lock ] || { display=$n; break; }; done
[ -n "$display" ] || { echo "no free X display" >&2; exit 1; }
Xvfb :$display -screen 0 1400x900x24 -nolisten tcp >/dev/null 2>&1 & xvfb=$!
trap 'kill $xterm 2>/dev/null; kill -9 $xvfb 2>/dev/null' EXIT
for _ in $(seq 100); do [ -e /tmp/.X11-unix/X$display ] && break; sleep 0.05; done
cd "$(dirname "$project")"
DISPLAY=:$display ZOETROPE_THREADS=${ZOETROPE_THREADS:-2} xterm -ti vt340 -xrm 'XTerm*numColorRegisters: 256' \
  -xrm 'XTerm*allowWindowOps: true' -fa 'DejaVu Sans Mono' -fs 10 -geometry 132x42+0+0 -bw 0 +sb \
  -bg '#16181D' -fg '#D8DEE9' -e "$bin" studio "$(basename "$project")" >/dev/null 2>&1 & xterm=$!
sleep "$wait"
DISPLAY=:$display import -window root /tmp/zoetrope-shot-$$.png
# Crop to the xterm window (its size from xwininfo).
geometry=$(DISPLAY=:$display xwininfo -root -tree | awk '/xterm/ && /\+0\+0/ {print $(NF-1); exit}')
if [ -n "$geometry" ]; then convert /tmp/zoetrope-shot-$$.png -crop "${geometry%%+*}+0+0" +repage "$out"; else cp /tmp/zoetrope-shot-$$.png "$out"; fi
rm -f /tmp/zoetrope-shot-$$.png
echo "wrote $out"
