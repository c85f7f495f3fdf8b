#!/usr/bin/env bash
# The paper's Figure 4 (docs/figure4.md): FCD variance of the Montbrio model
# on TVB's connectivity_68 over 5 conduction speeds x 10 global couplings,
# dt = 0.01 ms, 40 000 steps, without and with noise. Sets up and builds
# rateml, then for each variant simulates with BOLD and FCD computed during
# the run, draws the heat map, and prints the end-to-end times.
#
#   tools/figure4.sh [CONNECTIVITY.zip] [OUTPUT_DIR]
#
# CONNECTIVITY defaults to ../shared/data/connectivity_68.zip next to the
# clone; OUTPUT_DIR to figure4/. Environment: RATEML_BUILD_DIR.
set -euo pipefail
case "${1:-}" in -h | --help) sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; exit 0 ;; esac
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

declare -A simulate draw
for variant in deterministic noise; do
  flags=()
  [[ $variant == deterministic ]] && flags=(--no-noise)
  t0=$(now)
  "$OUT/montbrio.bin" "${SWEEP[@]}" "${flags[@]}" --seed 1 \
    --output "$OUT/$variant.h5"
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
for variant in deterministic noise; do
  total=$(awk -v a="${simulate[$variant]}" -v b="${draw[$variant]}" \
    'BEGIN { printf "%.2f", a + b }')
  printf '%-14s %22s %10s %10s  %s\n' "$variant" "${simulate[$variant]}" \
    "${draw[$variant]}" "$total" "$OUT/fcd_var-$variant.png"
done
