#!/usr/bin/env bash
# Builds spantag's Debian package with cargo-deb (installed first if missing): the binary,
# the desktop entry, the icon, the bundled corpus and the example project, as listed in
# Cargo.toml's [package.metadata.deb]. The .deb lands in target/debian/ (or
# $CARGO_TARGET_DIR/debian/).
#
# Usage: scripts/package-deb.sh [cargo-deb options]
#   scripts/package-deb.sh                                  release build (~7 min on 2 cores)
#   scripts/package-deb.sh --profile dev --no-build -o DIR  package an existing debug build (the test does)
set -euo pipefail
cd "$(dirname "$0")/.."
if ! cargo deb --version >/dev/null 2>&1; then
    cargo install cargo-deb --locked
fi
cargo deb "$@"
