#!/usr/bin/env bash
# The one command that checks everything: installs the system packages the tests need,
# and cargo-deb, then formatting, lints and every test (unit, property, CLI, kittest GUI,
# the real window under Xvfb, and the Debian package installed and started). .ci/run
# calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-debian.sh
# cargo-deb for the package test (tests/package.rs); built once, a few minutes.
cargo deb --version >/dev/null 2>&1 || cargo install cargo-deb --locked
cargo fmt --check
cargo clippy --all-targets -- -D warnings
cargo test
