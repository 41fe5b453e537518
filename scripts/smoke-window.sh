#!/usr/bin/env bash
# Smoke test of the real window: starts the spantag binary under Xvfb, double-clicks
# "Cambridge" in the first bundled article, presses 2 (ORG) and Ctrl+S, takes a screenshot,
# and checks the saved project file. Then tags "Facebook" without saving, waits for the
# autosave, kills the app with SIGKILL and checks the recovery copy holds both tags.
#
# Usage: scripts/smoke-window.sh BINARY WORKDIR   (the Rust test tests/window_smoke.rs runs it)
set -euo pipefail
bin=$1
work=$2
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$work"
project="$work/smoke.ron"
# --force: a WORKDIR used before holds the last run's project (kept as smoke.ron.bak.N).
"$bin" new "$here/assets/corpus" -o "$project" --force 2>/dev/null

unset WAYLAND_DISPLAY
export XDG_RUNTIME_DIR
XDG_RUNTIME_DIR=$(mktemp -d)
export SPANTAG_SMOKE_PROJECT=$project SPANTAG_SMOKE_BIN=$bin SPANTAG_SMOKE_WORK=$work
export SPANTAG_RECOVERY_DIR=$work/recovery

drive() {
xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
set -euo pipefail
# Its own config folder, so no recent project from a previous run is opened.
export XDG_CONFIG_HOME=$SPANTAG_SMOKE_WORK/config XDG_DATA_HOME=$SPANTAG_SMOKE_WORK/data
"$SPANTAG_SMOKE_BIN" "$SPANTAG_SMOKE_PROJECT" >"$SPANTAG_SMOKE_WORK/app.log" 2>&1 &
app=$!
trap "kill $app 2>/dev/null || true" EXIT
wid=""
for _ in $(seq 1 450); do
    wid=$(xdotool search --onlyvisible --name "spantag" 2>/dev/null | head -n 1 || true)
    [ -n "$wid" ] && break
    sleep 0.2
done
[ -n "$wid" ] || { echo "no spantag window appeared"; cat "$SPANTAG_SMOKE_WORK/app.log"; exit 1; }
sleep 1.5
xdotool windowfocus --sync "$wid"
# "Cambridge" on the first line of the first article (text column starts at x=276).
xdotool mousemove 450 62 click --repeat 2 --delay 60 1
sleep 0.5
xdotool key 2
sleep 0.5
xdotool key ctrl+s
sleep 1.0
xwd -silent -id "$wid" | convert xwd:- "$SPANTAG_SMOKE_WORK/window.png"
# Unsaved work: tag "Facebook" as ORG, wait past the autosave interval, then SIGKILL.
xdotool mousemove 620 62 click --repeat 2 --delay 60 1
sleep 0.5
xdotool key 2
sleep 7
kill -9 $app
'
}

# A display that vanishes under a busy machine (xvfb-run picking a number another
# server takes) is retried once; any other failure is the app's.
if ! drive; then
    grep -q "connection to X server" "$work/app.log" 2>/dev/null || exit 1
    echo "the X server was not reachable; trying once more"
    "$bin" new "$here/assets/corpus" -o "$project" --force 2>/dev/null
    rm -rf "$SPANTAG_RECOVERY_DIR"
    drive
fi

# Any id: ids are derived from the annotation's content.
want='spans: [(16, 25)], kind: Entity(label: "ORG")),'
if ! grep -qF "$want" "$project"; then
    echo "saved project lacks the ORG tag on \"Cambridge\" (16..25):"
    grep -n "spans:" "$project" || true
    exit 1
fi
echo "window smoke test: tagged Cambridge as ORG, saved, screenshot at $work/window.png"

recovered=$(ls "$work"/recovery/*.ron 2>/dev/null | head -n 1)
if [ -z "$recovered" ] || ! grep -qF "$want" "$recovered" || ! grep -qF 'spans: [(45, 53)], kind: Entity(label: "ORG")' "$recovered"; then
    echo "no recovery copy with both tags after kill -9:"
    ls -la "$work/recovery" || true
    [ -n "$recovered" ] && grep -n "spans:" "$recovered"
    exit 1
fi
echo "recovery after kill -9: both tags in $recovered"
