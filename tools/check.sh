#!/usr/bin/env bash
# Sets up and builds rateml, then runs every test:
#   1. check-rateml (lit + GoogleTest) in the Release build;
#   2. the libMLIR.so link check (never static and shared MLIR at once),
#      the C++ formatting (clang-format-22, LLVM style) and the dialect
#      reference generated from ODS (ninja mlir-doc);
#   3. an ASan+UBSan build (clang-22) running the same suite;
#   4. short libFuzzer runs over the XML frontend and over sweep.bin's input
#      readers (RATEML_FUZZ_SECONDS each, default 60).
# Prints "check: N passed, M failed[, K skipped]" at the end; exits non-zero
# on failure.
set -euo pipefail
case "${1:-}" in -h | --help) sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; exit 0 ;; esac
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${RATEML_BUILD_DIR:-$ROOT/build}"
SAN_DIR="${RATEML_SAN_BUILD_DIR:-$ROOT/build-san}"
JOBS="${RATEML_JOBS:-2}"
FUZZ_SECONDS="${RATEML_FUZZ_SECONDS:-60}"
LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT

"$ROOT/tools/setup.sh"

passed=0
failed=0
skipped=0
count() { # adds lit's totals from the log to the counters
  local p f s
  p=$(awk '/^ *Passed *:/ {sub(/.*: */, ""); n += $1} END {print n + 0}' "$LOG")
  f=$(awk '/^ *Failed *:/ {sub(/.*: */, ""); n += $1} END {print n + 0}' "$LOG")
  s=$(awk '/^ *Unsupported *:/ {sub(/.*: */, ""); n += $1} END {print n + 0}' "$LOG")
  passed=$((passed + p))
  failed=$((failed + f))
  skipped=$((skipped + s))
}
step() { echo "== $*" >&2; }

step "check-rateml (Release)"
status=0
ninja -C "$BUILD_DIR" -j "$JOBS" check-rateml 2>&1 | tee "$LOG" | grep -E '^(FAIL|XPASS|UNRESOLVED)|Passed|Failed|Unsupported' || true
count
grep -q 'Failed' "$LOG" && status=1
grep -q 'Passed' "$LOG" || status=1

step "libMLIR.so link check"
for tool in rateml-opt rateml-compile; do
  n=$(ldd "$BUILD_DIR/bin/$tool" | grep -c 'libMLIR\.so' || true)
  if [[ "$n" == 1 ]]; then
    passed=$((passed + 1))
  else
    echo "FAIL: $tool links libMLIR.so $n times (expected 1)" >&2
    failed=$((failed + 1))
    status=1
  fi
done

step "C++ formatting (clang-format-22, .clang-format: LLVM style)"
if (cd "$ROOT" && git ls-files -z '*.cpp' '*.h' '*.cu' |
      xargs -0 clang-format-22 --dry-run --Werror) >"$LOG" 2>&1; then
  passed=$((passed + 1))
else
  head -n 40 "$LOG" >&2
  echo "FAIL: files not formatted; run clang-format-22 -i on them" >&2
  failed=$((failed + 1))
  status=1
fi

step "dialect and pass docs from ODS (mlir-doc)"
if ninja -C "$BUILD_DIR" -j "$JOBS" mlir-doc >"$LOG" 2>&1 &&
   grep -q 'rateml.coupling' "$BUILD_DIR/docs/Dialects/RateML.md"; then
  passed=$((passed + 1))
else
  cat "$LOG" >&2
  echo "FAIL: mlir-doc did not produce the dialect reference" >&2
  failed=$((failed + 1))
  status=1
fi

step "ASan+UBSan build and check-rateml"
if [[ ! -f "$SAN_DIR/build.ninja" ]]; then
  cmake -G Ninja -S "$ROOT" -B "$SAN_DIR" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DCMAKE_C_COMPILER=/usr/lib/llvm-22/bin/clang \
    -DCMAKE_CXX_COMPILER=/usr/lib/llvm-22/bin/clang++ \
    -DLLVM_USE_LINKER=lld \
    -DRATEML_SANITIZE=ON -DRATEML_FUZZ=ON >/dev/null
fi
# The lit configs set the sanitizer options; the fuzzer run reuses them.
export ASAN_OPTIONS="allow_user_poisoning=0:detect_odr_violation=0:detect_leaks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
ninja -C "$SAN_DIR" -j "$JOBS" check-rateml 2>&1 | tee "$LOG" | grep -E '^(FAIL|XPASS|UNRESOLVED)|Passed|Failed|Unsupported' || true
count
grep -q 'Failed' "$LOG" && status=1
grep -q 'Passed' "$LOG" || status=1

# Runs fuzzer $1 of the sanitizer build for FUZZ_SECONDS in $FUZZ_DIR with
# the remaining arguments; a crash fails the check and keeps $FUZZ_DIR.
fuzz() {
  local name="$1"
  shift
  if (cd "$FUZZ_DIR" && "$SAN_DIR/test/fuzz/$name" \
        -max_total_time="$FUZZ_SECONDS" -timeout=10 -print_final_stats=1 \
        "$@" >fuzz.log 2>&1); then
    grep -E 'stat::number_of_executed_units|Done' "$FUZZ_DIR/fuzz.log" >&2 || true
    passed=$((passed + 1))
    rm -rf "$FUZZ_DIR"
  else
    tail -n 40 "$FUZZ_DIR/fuzz.log" >&2
    echo "FAIL: $name found a crash; inputs are in $FUZZ_DIR" >&2
    failed=$((failed + 1))
    status=1
  fi
}

step "libFuzzer over the XML frontend (${FUZZ_SECONDS}s)"
ninja -C "$SAN_DIR" -j "$JOBS" rateml-lems-fuzzer >/dev/null
FUZZ_DIR="$(mktemp -d)"
mkdir -p "$FUZZ_DIR/corpus"
# New inputs go to the first (scratch) directory; the others are seeds.
SEEDS=("$ROOT/models" "$ROOT/test/Frontend/LEMS" "$ROOT/test/Frontend/LEMS/errors")
[[ -d "$ROOT/../shared/rateml-xml" ]] && SEEDS+=("$ROOT/../shared/rateml-xml")
fuzz rateml-lems-fuzzer -rss_limit_mb=4096 -dict="$ROOT/test/fuzz/lems.dict" \
  corpus "${SEEDS[@]}"

step "libFuzzer over sweep.bin's input readers (${FUZZ_SECONDS}s)"
ninja -C "$SAN_DIR" -j "$JOBS" rateml-runtime-fuzzer >/dev/null
FUZZ_DIR="$(mktemp -d)"
mkdir -p "$FUZZ_DIR/corpus" "$FUZZ_DIR/seeds"
# Seeds: the inputs the tests wrote and read (but the bombs, slow by
# design), each behind the byte that picks its reader
# (test/fuzz/runtime-readers-fuzzer.cpp).
seed() { { printf "\\$1"; cat "$2"; } >"$FUZZ_DIR/seeds/$3"; }
k=0
while IFS= read -r -d '' f; do
  case "$f" in
    *.npy) seed 000 "$f" $((k++)) ;;
    *.csv) seed 001 "$f" $((k++)) ;;
    *weights.txt | *tract_lengths.txt) seed 002 "$f" $((k++)) ;;
    *.zip) seed 003 "$f" $((k++)) ;;
  esac
done < <(find "$SAN_DIR/test" "$ROOT/../shared/data" -type f -size -1024k \
           \( -name '*.npy' -o -name '*.csv' -o -name '*.zip' \
              -o -name weights.txt -o -name tract_lengths.txt \) \
           ! -name '*bomb*' -print0 \
           2>/dev/null)
printf '\004--sweep\000global_coupling=0:1:5\000-s1\0003\000--duration\000100' \
  >"$FUZZ_DIR/seeds/cli"
fuzz rateml-runtime-fuzzer -rss_limit_mb=2048 corpus seeds

if ((skipped)); then
  # Only tests that cannot run on sanitized binaries (qemu-user) skip, in the
  # sanitized suite; the Release suite runs them.
  echo "check: $passed passed, $failed failed, $skipped skipped"
else
  echo "check: $passed passed, $failed failed"
fi
exit $status
