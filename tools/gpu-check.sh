#!/usr/bin/env bash
# The GPU checks of docs/gpu.md, in two halves because the GPU machine has no
# LLVM/MLIR:
#
#   tools/gpu-check.sh prepare DIR   # here: sweep.bin for every model (f32,
#                                    # f64) and W1-W3, rateml-h5compare, and
#                                    # the shared libraries they need
#   tools/gpu-check.sh run DIR       # on the GPU machine: prints the tables
#
# run: (a) every model, --backend gpu against --backend cpu on the same
# sweep, deterministic and with noise at one seed, raw states and window
# means (float32: 2e-3 over 100 steps; float64: 1e-9); (b) PSS/s of W1-W3
# (docs/performance.md) at 1k, 10k and 100k parameter sets; (c)
# the largest batch that fits in GPU memory; each side by side with tools/baseline/rateml_design.cu (RateML's
# design, compiled with nvcc there) and the card's copy bandwidth; (d) the
# Figure 4 sweep (docs/figure4.md) on the GPU and on the CPU: times, and
# /bold, /fc, /fcd_var of the two against each other.
set -euo pipefail
case "${1:-}" in -h | --help) sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; exit 0 ;; esac
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODE="${1:-}"
DIR="${2:-}"
[[ -n "$MODE" && -n "$DIR" ]] || { sed -n '2,17p' "$0"; exit 2; }

if [[ "$MODE" == prepare ]]; then
  BIN="${RATEML_BUILD_DIR:-$ROOT/build}/bin"
  mkdir -p "$DIR/bin" "$DIR/lib"
  for model in "$ROOT"/models/*.xml; do
    name=$(basename "$model" .xml)
    for precision in f32 f64; do
      # Portable host code: the GPU machine's CPU may lack AVX-512.
      "$BIN/rateml-compile" "$model" --precision "$precision" --cpu x86-64-v3 \
        -o "$DIR/bin/$name-$precision"
    done
  done
  # W1 couples r only (tools/benchmark-cpu.py makes the same variant).
  sed -e '/<ComponentType name="coupling_V">/,/<\/ComponentType>/d' \
      -e 's/ + cv \* c_v//' "$ROOT/models/montbrio.xml" > "$DIR/w1.xml"
  "$BIN/rateml-compile" "$DIR/w1.xml" --cpu x86-64-v3 -o "$DIR/bin/w1-f32"
  cp "$BIN/rateml-h5compare" "$DIR/bin/"
  cp "$ROOT"/tools/baseline/*.cu "$DIR/"
  # Every shared library but the C and C++ runtimes travels along.
  ldd "$DIR/bin/w1-f32" "$DIR/bin/rateml-h5compare" | awk '/=> \//{print $3}' |
    grep -v -E '/(libc|libm|libstdc\+\+|libgcc_s|libpthread|libdl|ld-linux)[.-]' |
    sort -u | xargs -r cp -L -t "$DIR/lib/"
  echo "prepared $DIR: $(ls "$DIR/bin" | wc -l) programs, $(ls "$DIR/lib" | wc -l) libraries"
  exit 0
fi

[[ "$MODE" == run ]] || { echo "unknown mode '$MODE'" >&2; exit 2; }
export LD_LIBRARY_PATH="$DIR/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
BIN="$DIR/bin"
WORK="$(mktemp -d)"
CONN="$ROOT/../shared/data/connectivity_68.zip"
[[ -f "$CONN" ]] || CONN=builtin:68
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
status=0

echo "== (a) GPU against CPU, every model ($CONN)"
for exe in "$BIN"/*-f32 "$BIN"/*-f64; do
  name=$(basename "$exe")
  [[ "$name" == w1-f32 ]] && continue
  tol=2e-3; [[ "$name" == *-f64 ]] && tol=1e-9
  # States every 10 steps (a device copy per sample), deterministic and
  # noisy; and exposures averaged over 1 ms windows (the kernel's sums).
  for run in "--no-noise --record states --every 10" "--seed=7 --record states --every 10" \
             "--seed=7 --tavg 1"; do
    read -r -a extra <<< "$run"
    args=(--connectivity "$CONN" --values global_speed=3,8 --sweep global_coupling=0:0.1:64
          --steps 100 --quiet "${extra[@]}")
    result=
    "$exe" "${args[@]}" --backend cpu --output "$WORK/cpu.h5"
    if "$exe" "${args[@]}" --backend gpu --output "$WORK/gpu.h5" &&
       result=$("$BIN/rateml-h5compare" "$WORK/gpu.h5" "$WORK/cpu.h5" --rtol "$tol"); then
      echo "ok   $name $run: $result"
    else
      echo "FAIL $name $run: ${result:-gpu run failed}"; status=1
    fi
  done
done

NVCC="${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}"
"$NVCC" -O3 -arch=native -o "$WORK/baseline" "$DIR/rateml_design.cu"
"$NVCC" -O3 -arch=native -o "$WORK/copy" "$DIR/copy_bandwidth.cu"
COPY=$("$WORK/copy" | awk '{print $2}')
MATRICES=()
EXTRACTED="$ROOT/../shared/data/connectivity_68_extracted"
[[ -d "$EXTRACTED" ]] && MATRICES=("$EXTRACTED/weights.txt" "$EXTRACTED/tract_lengths.txt")

echo "== (b) PSS/s on the GPU (dt 0.1 ms, 4000 steps, speed 3 mm/ms, float32); copy bandwidth $COPY GB/s"
echo "   rateml: end to end; loops: its time loops alone, like the baseline's; ratio and GB/s: loops"
printf '%-4s %8s %12s %12s %22s %8s %8s\n' load sets rateml loops baseline ratio GB/s
for load in W1:w1-f32:1 W2:kuramoto-f32:1 W3:epileptor-f32:2; do
  IFS=: read -r name exe coupled <<< "$load"
  for sets in 1000 10000 100000; do
    # A failed run prints n/a and fails the check, but the tables go on.
    out=$("$BIN/$exe" --backend gpu --connectivity "$CONN" --values global_speed=3 \
      --sweep "global_coupling=0:1:$sets" --steps 4000 --every 4000 --no-noise \
      --output "$WORK/bench.h5") || status=1
    ours=$(sed -n 2p <<< "$out" | awk '{print $3}')
    loops=$(awk '/^gpu: .* in the time loops/ {print $8}' <<< "$out")
    base=$("$WORK/baseline" "$name" "$sets" 4000 "${MATRICES[@]}" |
      awk '{print $9 ($15 > 1 ? " (" $15 " batches)" : "")}') || status=1
    ours=${ours:-n/a}; loops=${loops:-n/a}; base=${base:-n/a}
    # History bytes read per parameter-set step: 1244 edges x coupled states x 4.
    gbps=$(awk -v p="$loops" -v c="$coupled" 'BEGIN {if (p > 0) printf "%.0f", p * 1244 * c * 4 / 1e9; else print "n/a"}')
    ratio=$(awk -v a="$loops" -v b="${base%% *}" 'BEGIN {if (a > 0 && b > 0) printf "%.1f", a / b; else print "n/a"}')
    printf '%-4s %8s %12s %12s %22s %8s %8s\n' "$name" "$sets" "$ours" "$loops" "$base" "$ratio" "$gbps"
  done
done

echo "== (c) largest sweep in GPU memory at once (W1, float32, speed 3 mm/ms)"
"$BIN/w1-f32" --backend gpu --connectivity "$CONN" --values global_speed=3 \
  --sweep global_coupling=0:1:400000 --steps 1 --every 1 --no-noise --no-data \
  --output "$WORK/big.h5" 2>&1 | grep -E 'batches of up to|^sweep: error' || true
"$WORK/baseline" W1 1000 10 "${MATRICES[@]}" | awk '{print "baseline: " $13 " sets (" $11 " bytes of history per set)"}' || status=1

# Tolerances: about 30x what float32 against float64 gives on the CPU for
# this sweep (/bold 2.7e-6, /fc 4.8e-6, /fcd_var 1.2e-4; docs/figure4.md).
echo "== (d) Figure 4 (montbrio f32, 50 sets x 40000 steps at dt 0.01 ms, BOLD and FCD)"
FIG=(--connectivity "$CONN" --dt 0.01 --steps 40000 --sweep global_speed=1:10:5
  --sweep global_coupling=0:1:10 --bold r --bold-tr 2 --bold-dt 0.1
  --fcd-window 40 --fcd-step 4 --no-data --seed 1)
for noise in --no-noise --seed=1; do
  for backend in cpu gpu; do
    t0=$(date +%s.%N)
    "$BIN/montbrio-f32" "${FIG[@]}" "$noise" --backend "$backend" --quiet \
      --output "$WORK/fig-$backend.h5" || { echo "FAIL figure4 $backend"; status=1; }
    echo "figure4 $noise $backend: $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}') s"
  done
  for check in /bold:1e-4 /fc:2e-4 /fcd_var:4e-3; do
    IFS=: read -r dataset tol <<< "$check"
    if result=$("$BIN/rateml-h5compare" "$WORK/fig-gpu.h5" "$WORK/fig-cpu.h5" \
                --dataset "$dataset" --rtol "$tol"); then
      echo "ok   figure4 $noise $dataset: $result"
    else
      echo "FAIL figure4 $noise $dataset: $result"; status=1
    fi
  done
done
rm -rf "$WORK"
exit $status
