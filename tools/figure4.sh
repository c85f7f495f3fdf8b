#!/usr/bin/env bash
# The paper's Figure 4 (docs/figure4.md): FCD variance of the Montbrio model
# on TVB's connectivity_68 over 5 conduction speeds x 10 global couplings,
# dt = 0.01 ms, 40 000 steps, without and with noise. Sets up and builds
# rateml, then for each variant simulates with BOLD and FCD computed during
# the run, draws the heat map, and prints the end-to-end times.
#
#   tools/figure4.sh [--minutes] [CONNECTIVITY.zip] [OUTPUT_DIR]
#
# --minutes also runs docs/figure4.md's "Minutes of simulated time" recipe
# (3 minutes of simulated time, 5 speeds x 16 couplings in the regime where
# the noise-driven dynamics change; about 8 minutes of CPU time; its
# initial state is written for 68 nodes) and draws its map,
# fcd_var-minutes.png. CONNECTIVITY defaults to
# ../shared/data/connectivity_68.zip next to the clone; OUTPUT_DIR to
# figure4/. Environment: RATEML_BUILD_DIR.
set -euo pipefail
case "${1:-}" in -h | --help) sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; exit 0 ;; esac
MINUTES=0
if [[ "${1:-}" == --minutes ]]; then
  MINUTES=1
  shift
fi
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONNECTIVITY="${1:-$ROOT/../shared/data/connectivity_68.zip}"
OUT="${2:-figure4}"
if [[ ! -f "$CONNECTIVITY" ]]; then
  echo "figure4: connectivity '$CONNECTIVITY' not found; give the path of" \
    "TVB's connectivity_68.zip as the first argument" >&2
  exit 2
fi
"$ROOT/tools/setup.sh"
BUILD_DIR="${RATEML_BUILD_DIR:-$ROOT/build}"
mkdir -p "$OUT"

now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

t0=$(now)
"$BUILD_DIR/bin/rateml-compile" "$ROOT/models/montbrio.xml" -o "$OUT/montbrio.bin"
compile=$(seconds "$t0" "$(now)")

# Speeds and couplings span the ranges montbrio.xml declares. BOLD is
# integrated every 0.1 ms from the mean of r and sampled every 2 ms; FCD
# windows are 40 ms (20 samples) long, 4 ms apart (docs/figure4.md).
SWEEP=(--connectivity "$CONNECTIVITY" --dt 0.01 --steps 40000
  --sweep global_speed=1:10:5 --sweep global_coupling=0:1:10
  --bold r --bold-tr 2 --bold-dt 0.1 --fcd-window 40 --fcd-step 4
  --no-data --quiet)

# The minutes recipe (docs/figure4.md): the bistable working point
# (eta -4.6, J 14.5, Delta 0.7), noise D = 0.02, every node starting near the
# uncoupled node's low-activity fixed point, dt = 0.02 ms, 3 minutes; BOLD
# every 2 s, the first minute dropped, FCD windows of 30 s one TR apart.
MINUTES_SWEEP=(--connectivity "$CONNECTIVITY" --dt 0.02 --duration 180000
  --set eta=-4.6 --set J=14.5 --set Delta=0.7 --set D=0.02
  --initial "$OUT/low.npy"
  --sweep global_speed=1:10:5 --sweep global_coupling=5.75:9.5:16
  --bold r --bold-tr 2000 --fc-transient 60000 --fcd-window 30000
  --fcd-step 2000 --tavg 1000 --quiet)

variants=(deterministic noise)
if ((MINUTES)); then
  variants+=(minutes)
  /usr/bin/python3 -c "import numpy, sys; numpy.save(sys.argv[1], numpy.array([[0.06] * 68, [-1.9] * 68], numpy.float32))" "$OUT/low.npy"
fi

declare -A simulate draw
for variant in "${variants[@]}"; do
  t0=$(now)
  case $variant in
    deterministic) "$OUT/montbrio.bin" "${SWEEP[@]}" --no-noise --seed 1 \
      --output "$OUT/$variant.h5" ;;
    noise) "$OUT/montbrio.bin" "${SWEEP[@]}" --seed 1 \
      --output "$OUT/$variant.h5" ;;
    minutes) "$OUT/montbrio.bin" "${MINUTES_SWEEP[@]}" --seed 1 \
      --output "$OUT/$variant.h5" ;;
  esac
  t1=$(now)
  "$BUILD_DIR/bin/rateml-heatmap" "$OUT/$variant.h5" --dataset fcd_var \
    --x global_coupling --y global_speed -o "$OUT/fcd_var-$variant.png" \
    --title "Montbrio, connectivity_68: FCD variance ($variant)" >/dev/null
  t2=$(now)
  simulate[$variant]=$(seconds "$t0" "$t1")
  draw[$variant]=$(seconds "$t1" "$t2")
done

echo "figure4: compile (once) ${compile} s"
printf '%-14s %22s %10s %10s  %s\n' variant "simulate+BOLD+FCD (s)" \
  "heat map" "total" "image"
for variant in "${variants[@]}"; do
  total=$(awk -v a="${simulate[$variant]}" -v b="${draw[$variant]}" \
    'BEGIN { printf "%.2f", a + b }')
  printf '%-14s %22s %10s %10s  %s\n' "$variant" "${simulate[$variant]}" \
    "${draw[$variant]}" "$total" "$OUT/fcd_var-$variant.png"
done
