#!/usr/bin/env bash
# Rebuilds the capability-probe object that kgent embeds (src/kernel/probe/probe.bpf.o).
set -euo pipefail
cd "$(dirname "$0")/../src/kernel/probe"
clang -target bpf -O2 -g -I"/usr/include/$(uname -m)-linux-gnu" -c probe.bpf.c -o probe.bpf.o
echo "wrote $(pwd)/probe.bpf.o"
