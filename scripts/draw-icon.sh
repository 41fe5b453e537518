#!/usr/bin/env bash
# Draws spantag's icon, assets/icon/spantag.png (256×256), with ImageMagick: a page of
# text lines on a blue tile, two spans highlighted in the default PER and ORG colours,
# each with its label chip. The PNG is committed; run this only to change the drawing.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
convert -size 256x256 xc:none \
    -fill '#2f5d8a' -draw 'roundrectangle 8,8 248,248 44,44' \
    -fill '#fbfaf6' -draw 'roundrectangle 44,36 212,220 12,12' \
    -fill '#c9c6bd' \
    -draw 'roundrectangle 62,62 194,72 5,5' \
    -draw 'roundrectangle 62,150 194,160 5,5' \
    -draw 'roundrectangle 62,186 160,196 5,5' \
    -fill '#6d6a63' \
    -draw 'roundrectangle 62,98 82,108 5,5' \
    -draw 'roundrectangle 166,98 194,108 5,5' \
    -fill '#f7a8b8' -draw 'roundrectangle 86,90 162,116 6,6' \
    -fill '#6d6a63' -draw 'roundrectangle 94,98 154,108 5,5' \
    -fill '#a8cdf7' -draw 'roundrectangle 100,126 194,140 6,6' \
    -fill '#6d6a63' -draw 'roundrectangle 106,129 188,137 4,4' \
    -fill '#e0607e' -draw 'roundrectangle 86,76 122,92 5,5' \
    -fill '#4f8fd6' -draw 'roundrectangle 62,126 96,140 5,5' \
    "$here/assets/icon/spantag.png"
echo "wrote $here/assets/icon/spantag.png"
