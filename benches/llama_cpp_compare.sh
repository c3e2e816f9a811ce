#!/usr/bin/env bash
# Times llama.cpp (through llama-cpp-python, built from source by pip) and `kgent bench llm` on the
# same GGUF with the same thread count and token counts, interleaved, and prints the ratios.
#
#   benches/llama_cpp_compare.sh [MODEL_NAME ...]     (default: both manifest models)
#
# Needs the models in the cache (`kgent model pull NAME`) and a C/C++ compiler; the first run
# builds llama.cpp into $KGENT_HOME/bench/llama-venv (about 8 minutes on two cores; pip fetches
# cmake itself). ROUNDS (default 3) sets how many interleaved rounds to take the median of; each
# round's own ratios are printed under its model's line. Load is each side constructing the model
# from a file in the page cache (kgent: its tiled weight cache mapped, once it has been written).
set -euo pipefail
cd "$(dirname "$0")/.."
KGENT=${KGENT:-target/release/kgent}
HOME_DIR=${KGENT_HOME:-$HOME/.cache/kgent}
VENV=${LLAMA_VENV:-"$HOME_DIR/bench/llama-venv"}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-$(nproc)}
MODELS=("$@")
[ ${#MODELS[@]} -gt 0 ] || MODELS=(qwen2.5-coder-0.5b-instruct-q4_k_m qwen2.5-coder-1.5b-instruct-q4_k_m)

[ -x "$KGENT" ] || cargo build --release
# The stamp: a venv built before AMX was left out is built again.
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import llama_cpp' 2>/dev/null || [ ! -e "$VENV/no-amx" ]; then
  echo "building llama.cpp (llama-cpp-python) into $VENV ..." >&2
  python3 -m venv "$VENV"
  # Native, as llama.cpp's users build it, but without AMX: on Sapphire Rapids its AMX tile code
  # traps with SIGILL in this VM. No wheel cache: a wheel built on another CPU is not native here.
  CMAKE_ARGS="-DGGML_NATIVE=ON" CFLAGS="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16" CXXFLAGS="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16" \
    "$VENV/bin/pip" install --quiet --no-cache-dir --force-reinstall llama-cpp-python
  touch "$VENV/no-amx"
fi

LLAMA_PY=$(cat <<'PY'
import json, sys, time
from llama_cpp import Llama
path, threads, n_prompt, n_decode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
t = time.perf_counter()
llm = Llama(model_path=path, n_threads=threads, n_threads_batch=threads, n_ctx=1024, n_batch=512, verbose=False)
load = time.perf_counter() - t
text = "Write a bpftrace program that counts openat calls per process and prints them every second. " * 20
tokens = llm.tokenize(text.encode())[:n_prompt]
llm.eval(tokens[:16]); llm.reset()                      # warm-up, like kgent's
t = time.perf_counter(); llm.eval(tokens); prefill = time.perf_counter() - t
t = time.perf_counter()
for _ in range(n_decode):
    llm.eval([tokens[-1]])
decode = time.perf_counter() - t
print(json.dumps({"load_s": load, "prefill_tok_s": len(tokens) / prefill, "decode_tok_s": n_decode / decode}))
PY
)

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

printf '%-38s %10s %10s %12s %12s %12s %12s %8s %8s\n' model "kgent load" "llama load" "kgent pre" "llama pre" "kgent dec" "llama dec" "pre x" "dec x"
for m in "${MODELS[@]}"; do
  path=$("$KGENT" model path "$m")
  kp=(); lp=(); kd=(); ld=(); kl=(); ll=()
  for _ in $(seq "$ROUNDS"); do
    k=$(RAYON_NUM_THREADS=$THREADS "$KGENT" bench llm -m "$m" --runs 1 --json)
    l=$("$VENV/bin/python" -c "$LLAMA_PY" "$path" "$THREADS" 128 64)
    kl+=("$(jq -r .load_seconds <<<"$k")"); ll+=("$(jq -r .load_s <<<"$l")")
    kp+=("$(jq -r .prefill_tok_per_s <<<"$k")"); kd+=("$(jq -r .decode_tok_per_s <<<"$k")")
    lp+=("$(jq -r .prefill_tok_s <<<"$l")"); ld+=("$(jq -r .decode_tok_s <<<"$l")")
  done
  KP=$(printf '%s\n' "${kp[@]}" | median); LP=$(printf '%s\n' "${lp[@]}" | median)
  KD=$(printf '%s\n' "${kd[@]}" | median); LD=$(printf '%s\n' "${ld[@]}" | median)
  KL=$(printf '%s\n' "${kl[@]}" | median); LL=$(printf '%s\n' "${ll[@]}" | median)
  printf '%-38s %10.2f %10.2f %12.1f %12.1f %12.1f %12.1f %8.2f %8.2f\n' "$m" "$KL" "$LL" "$KP" "$LP" "$KD" "$LD" "$(echo "$KP/$LP" | bc -l)" "$(echo "$KD/$LD" | bc -l)"
  # Each round's pair ran back to back, so its ratio is the least disturbed by the memory
  # bandwidth drifting between rounds.
  pre=""; dec=""
  for i in "${!kd[@]}"; do
    pre+=" $(printf '%.2f' "$(echo "${kp[$i]}/${lp[$i]}" | bc -l)")"; dec+=" $(printf '%.2f' "$(echo "${kd[$i]}/${ld[$i]}" | bc -l)")"
  done
  printf '  per round: pre x%s; dec x%s\n' "$pre" "$dec"
done
