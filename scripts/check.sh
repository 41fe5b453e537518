#!/usr/bin/env bash
# The one command that checks everything: installs the system packages the tests need,
# then formatting, lints and every test (unit, property, CLI, kittest GUI, and the real
# window under Xvfb). .ci/run calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-debian.sh
cargo fmt --check
cargo clippy --all-targets -- -D warnings
cargo test
