#!/usr/bin/env bash
# The file chooser of the real window under Xvfb, where no desktop portal answers: Ctrl+O
# must still reach a chooser (spantag's own), open a project typed into its folder field,
# and Save As must save it under a name typed into its file field.
#
# Usage: scripts/file-chooser-window.sh BINARY WORKDIR   (tests/window_file_chooser.rs runs it)
set -euo pipefail
bin=$1
work=$2
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$work"
"$bin" new "$here/assets/corpus" -o "$work/start.ron" >/dev/null
"$bin" new "$here/assets/corpus" -o "$work/chosen.ron" >/dev/null
rm -f "$work/saved-elsewhere.ron"

unset WAYLAND_DISPLAY
export XDG_RUNTIME_DIR
XDG_RUNTIME_DIR=$(mktemp -d)
export SPANTAG_CHOOSER_BIN=$bin SPANTAG_CHOOSER_WORK=$work
export SPANTAG_RECOVERY_DIR=$work/recovery

drive() {
# A display number of its own (not -a, which races with other servers starting at once).
xvfb-run -n $((200 + RANDOM % 700)) -s "-screen 0 1280x800x24" bash -c '
set -euo pipefail
work=$SPANTAG_CHOOSER_WORK
export XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data
"$SPANTAG_CHOOSER_BIN" "$work/start.ron" >"$work/app.log" 2>&1 &
app=$!
trap "kill $app 2>/dev/null || true" EXIT
wid=""
for _ in $(seq 1 450); do
    wid=$(xdotool search --onlyvisible --name "spantag" 2>/dev/null | head -n 1 || true)
    [ -n "$wid" ] && break
    kill -0 $app 2>/dev/null || break
    sleep 0.2
done
[ -n "$wid" ] || { echo "no spantag window appeared"; cat "$work/app.log"; exit 1; }
sleep 1.5
xdotool windowfocus --sync "$wid"
# Replaces the text of the field at X Y with $3 and presses Enter.
type_into() {
    xdotool mousemove "$1" "$2" click 1
    sleep 0.4
    xdotool key ctrl+a
    xdotool type --delay 30 "$3"
    sleep 0.3
    xdotool key Return
    sleep 1.5
}
# The in-app chooser is 640×480 in the middle of the 1280×800 window: its folder field
# is at the top, its file field at the bottom.
xdotool key ctrl+o
sleep 1.5
xwd -silent -id "$wid" | convert xwd:- "$work/chooser.png"
type_into 640 212 "$work/chosen.ron"
echo "after open: $(xdotool getwindowname "$wid")"
xdotool key ctrl+shift+s
sleep 1.5
type_into 610 595 "$work/saved-elsewhere.ron"
echo "after save as: $(xdotool getwindowname "$wid")"
xwd -silent -id "$wid" | convert xwd:- "$work/saved.png"
'
}

# A display that vanishes under a busy machine is retried once (as in smoke-window.sh).
if ! drive; then
    grep -q "connection to X server" "$work/app.log" 2>/dev/null || exit 1
    echo "the X server was not reachable; trying once more"
    drive
fi
[ -s "$work/saved-elsewhere.ron" ] || { echo "Save As wrote nothing"; cat "$work/app.log"; exit 1; }
echo "saved elsewhere: $work/saved-elsewhere.ron"
