#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine for Kgent: the eBPF toolchain, tracefs/debugfs, a release
# build, and a verified model in the cache. Safe to run again: each step skips what is done.
#
#   scripts/setup.sh [MODEL]    MODEL defaults to the manifest's default (the 1.5B coder model)
set -euo pipefail
cd "$(dirname "$0")/.."
model="${1:-}"

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
step() { printf '\n==> %s\n' "$*" >&2; }

step "system packages (clang, bpftrace, bpftool, libbpf-dev, libc6-dev, pip)"
need=()
# libc6-dev: the C library's headers declare its functions' parameters (uprobes on libc).
for pkg in clang bpftrace bpftool libbpf-dev libc6-dev; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
python3 -m pip --version >/dev/null 2>&1 || need+=(python3-pip)
if [ "${#need[@]}" -gt 0 ]; then
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
else
  echo "all present" >&2
fi

step "tracefs and debugfs"
mountpoint -q /sys/kernel/tracing || sudo_if_needed mount -t tracefs nodev /sys/kernel/tracing || echo "warning: could not mount tracefs" >&2
mountpoint -q /sys/kernel/debug || sudo_if_needed mount -t debugfs nodev /sys/kernel/debug || echo "warning: could not mount debugfs" >&2

step "build (cargo build --release)"
command -v cargo >/dev/null || { echo "error: cargo not found; install Rust 1.95+ (rustup) first" >&2; exit 1; }
cargo build --release

step "model ${model:-(default)}: fetch and verify"
if [ -n "$model" ]; then target/release/kgent model pull "$model" >/dev/null; else target/release/kgent model pull >/dev/null; fi
target/release/kgent model list
