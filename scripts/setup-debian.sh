#!/usr/bin/env bash
# Installs the Debian packages spantag's build and tests need on a fresh machine:
# a C toolchain and CMake for crates that build C (CRFsuite, the entity recommender's
# trainer), Xvfb + xdotool + ImageMagick + software GL
# for the smoke test of the real window, and the Noto fonts (CJK, Arabic, Hebrew,
# Devanagari, Thai … and colour emoji) the multi-script tests read. Safe to run more than once.
set -euo pipefail

packages=(
    build-essential pkg-config cmake
    xvfb xauth xdotool imagemagick x11-apps
    libegl1 libegl-mesa0 libgl1-mesa-dri libxkbcommon-x11-0
    fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
