#!/usr/bin/env bash
# Every script in the real window: starts the spantag binary under Xvfb on a corpus with
# Chinese, Japanese, Korean, Arabic, Hebrew, Devanagari, Thai and emoji, lets the window
# draw it, and has it write its glyph self-check (SPANTAG_GLYPH_REPORT: the characters no
# font it found can draw), then takes a screenshot.
#
# Usage: scripts/scripts-window.sh BINARY WORKDIR   (tests/window_scripts.rs runs it)
set -euo pipefail
bin=$1
work=$2
mkdir -p "$work/corpus"
printf '%s\n' \
    '中文新闻：市场今天上涨。' \
    '日本語のニュース 한국어 뉴스' \
    'العربية: خبر اليوم' \
    'עברית: חדשות היום' \
    'हिन्दी समाचार आज' \
    'ข่าวภาษาไทยวันนี้' \
    'Emoji 😀 🎉 ✅' > "$work/corpus/multi.txt"
rm -f "$work/glyphs.txt"

unset WAYLAND_DISPLAY
export XDG_RUNTIME_DIR
XDG_RUNTIME_DIR=$(mktemp -d)
export SPANTAG_SCRIPTS_BIN=$bin SPANTAG_SCRIPTS_WORK=$work
export SPANTAG_RECOVERY_DIR=$work/recovery SPANTAG_GLYPH_REPORT=$work/glyphs.txt

# A display number of its own: xvfb-run -a races with other servers starting at once.
xvfb-run -n $((200 + RANDOM % 700)) -s "-screen 0 1280x800x24" bash -c '
set -euo pipefail
export XDG_CONFIG_HOME=$SPANTAG_SCRIPTS_WORK/config XDG_DATA_HOME=$SPANTAG_SCRIPTS_WORK/data
"$SPANTAG_SCRIPTS_BIN" "$SPANTAG_SCRIPTS_WORK/corpus" >"$SPANTAG_SCRIPTS_WORK/app.log" 2>&1 &
app=$!
trap "kill $app 2>/dev/null || true" EXIT
for _ in $(seq 1 300); do
    [ -s "$SPANTAG_SCRIPTS_WORK/glyphs.txt" ] && break
    kill -0 $app 2>/dev/null || { echo "the app exited"; cat "$SPANTAG_SCRIPTS_WORK/app.log"; exit 1; }
    sleep 0.2
done
[ -s "$SPANTAG_SCRIPTS_WORK/glyphs.txt" ] || { echo "no glyph report"; cat "$SPANTAG_SCRIPTS_WORK/app.log"; exit 1; }
wid=$(xdotool search --onlyvisible --name "spantag" 2>/dev/null | head -n 1 || true)
[ -n "$wid" ] || { echo "no spantag window"; exit 1; }
sleep 0.5
xwd -silent -id "$wid" | convert xwd:- "$SPANTAG_SCRIPTS_WORK/scripts.png"
'
cat "$work/glyphs.txt"
