#!/usr/bin/env bash
# Rebuilds tests/fixtures/verdicts: the compiled object of every case in tests/verdicts.rs (with
# the sha256 of the source it came from) and the tracefs `format` files those cases need, so the
# verdict table runs on any machine, as any user, without clang, bpftrace or tracefs.
# Needs clang, bpftrace, bpftool, kernel BTF and a mounted tracefs (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --release --test verdicts build_fixtures -- --ignored --exact
git status --short tests/fixtures/verdicts
