#!/usr/bin/env bash
# Coverage-guided fuzzing (cargo-fuzz, libFuzzer) of every reader Kgent runs on bytes it did not
# write: the ELF reader and decoder, the symbolic executor and safety gate, the property parser,
# the BTF reader, bpftrace map inference, the GGUF header reader and the importers.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET [TARGET...]]     (default: 30 s, every target)
#
# Each target starts from its committed seeds (fuzz/corpus/TARGET, read-only here) and writes what
# it learns to a scratch corpus. A crash, hang (-timeout) or memory blow-up (-rss_limit_mb) fails
# the run and leaves the input in fuzz/artifacts/TARGET/. Needs the nightly toolchain; installs
# cargo-fuzz from crates.io when it is missing. Sanitizer: none (Rust's own checks and debug
# assertions; the fuzzed code has no unsafe blocks): pass FUZZ_SANITIZER=address for ASan.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(elf_decode symbolic properties btf bpftrace_maps gguf_header importers)
fi
sanitizer=${FUZZ_SANITIZER:-none}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
# libFuzzer's instrumentation needs nightly flags; without a nightly toolchain, let the stable
# compiler accept them.
toolchain=+nightly
if ! cargo +nightly --version >/dev/null 2>&1; then
    toolchain=
    export RUSTC_BOOTSTRAP=1
fi
cargo $toolchain fuzz build -s "$sanitizer"
log=$(mktemp)
for t in "${targets[@]}"; do
    # FUZZ_KEEP=DIR keeps what each target learns in DIR/TARGET, so a later run continues from it.
    if [ -n "${FUZZ_KEEP:-}" ]; then
        scratch="$FUZZ_KEEP/$t"
        mkdir -p "$scratch"
    else
        scratch=$(mktemp -d)
    fi
    # -timeout is wall-clock time: a hang is far past the symbolic executor's CPU budget (50 ms
    # an input in its fuzz target; 2 s a program, 8 s an object in `kgent verify`). A niced fuzzer beside builds and evals was seen to take 36 s of
    # wall time for 4 s of CPU, so the bound leaves room for a starved process; a real hang (a
    # loop the budget does not cut) never ends, and still trips it.
    if ! cargo $toolchain fuzz run -s "$sanitizer" "$t" "$scratch" "fuzz/corpus/$t" -- \
        -max_total_time="$secs" -timeout=300 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
        tail -n 60 "$log"
        echo "fuzz: $t FAILED (input saved under fuzz/artifacts/$t/)" >&2
        exit 1
    fi
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    echo "fuzz: $t: $runs executions in ${secs} s, no crash, hang or out-of-memory"
    [ -n "${FUZZ_KEEP:-}" ] || rm -rf "$scratch"
done
rm -f "$log"
