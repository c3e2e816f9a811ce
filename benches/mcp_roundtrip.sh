#!/usr/bin/env bash
# Time from starting `kgent mcp` to a `hooks` result, through the official MCP Python SDK's stdio
# client (tests/mcp/client.py; scripts/pyenv.sh installs it): spawn, initialize, tools/list and
# one hooks call, with no model loaded. Prints each round's seconds and the median.
#
#   benches/mcp_roundtrip.sh [ROUNDS]        (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
KGENT=${KGENT:-target/release/kgent}
PY=$(scripts/pyenv.sh --mcp-only)
ROUNDS=${1:-5}
CALLS='[{"tool": "hooks", "args": {"pattern": "tracepoint:syscalls:sys_enter_openat"}}]'
for _ in $(seq "$ROUNDS"); do
  "$PY" tests/mcp/client.py "$CALLS" -- "$KGENT" mcp 2>/dev/null |
    "$PY" -c 'import json, sys; t = json.load(sys.stdin); print(t["initialize"]["seconds"], t["results"][0]["seconds"])'
done | "$PY" -c '
import statistics, sys
rows = [tuple(map(float, l.split())) for l in sys.stdin]
for i, (init, hooks) in enumerate(rows, 1):
    print(f"round {i}: initialized {init:.3f} s, hooks result {hooks:.3f} s")
print(f"median: initialized {statistics.median(r[0] for r in rows):.3f} s, hooks result {statistics.median(r[1] for r in rows):.3f} s")'
