#!/usr/bin/env bash
# The Python programs some tests talk to, in one virtual environment at $KGENT_HOME/pyenv:
#   mcp                        the official MCP SDK, whose stdio client drives `kgent mcp` (tests/mcp.rs)
#   llama-cpp-python[server]   llama.cpp's OpenAI-compatible server, the remote model backend's
#                              counterpart (tests/remote.rs); pip builds llama.cpp from source,
#                              about 8 minutes on two cores
# Idempotent: a package already importable (llama.cpp: and built with the flags below) is not
# installed again. Prints the python's path.
set -euo pipefail
HOME_DIR=${KGENT_HOME:-$HOME/.cache/kgent}
VENV="$HOME_DIR/pyenv"
if [ ! -x "$VENV/bin/python" ]; then
  # Debian's python3 keeps venv (and ensurepip) in a package of its own.
  python3 -m venv "$VENV" 2>/dev/null || {
    rm -rf "$VENV"
    ver=$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "python$ver-venv" python3-venv >&2
    python3 -m venv "$VENV"
  }
fi
if ! "$VENV/bin/python" -c 'import mcp' 2>/dev/null; then
  echo "installing the MCP SDK into $VENV ..." >&2
  "$VENV/bin/pip" install --quiet 'mcp>=1.9'
fi
# llama.cpp is built for x86-64 with AVX2, not -march=native: a native build on a CPU with AMX
# (Sapphire Rapids) runs AMX tile instructions that trap with SIGILL in this VM ("tilezero",
# the server drops the connection), and a venv kept between machines must run on the next CPU.
# The stamp records the flags, so a venv built otherwise is rebuilt (pip's wheel cache is skipped
# for the same reason).
LLAMA_CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON"
STAMP="$VENV/llama-cpp-cmake-args"
if [ "${1:-}" != "--mcp-only" ] && { ! "$VENV/bin/python" -c 'import llama_cpp.server' 2>/dev/null || [ "$(cat "$STAMP" 2>/dev/null)" != "$LLAMA_CMAKE_ARGS" ]; }; then
  command -v c++ >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq g++ >&2
  echo "building llama.cpp's server (llama-cpp-python) into $VENV ..." >&2
  CMAKE_ARGS="$LLAMA_CMAKE_ARGS" "$VENV/bin/pip" install --quiet --no-cache-dir --force-reinstall --no-deps llama-cpp-python
  "$VENV/bin/pip" install --quiet 'llama-cpp-python[server]'
  echo "$LLAMA_CMAKE_ARGS" >"$STAMP"
fi
echo "$VENV/bin/python"
