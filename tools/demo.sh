#!/usr/bin/env bash
# The main job on the shipped defaults: sets up and builds rateml, compiles
# models/montbrio.xml to sweep.bin (printing the model summary), runs a small
# sweep on the built-in connectome, writes results.h5 and prints a summary.
set -euo pipefail
case "${1:-}" in -h | --help) sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; exit 0 ;; esac
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/tools/setup.sh"
BUILD_DIR="${RATEML_BUILD_DIR:-$ROOT/build}"
"$BUILD_DIR/bin/rateml-compile" "$ROOT/models/montbrio.xml" --summary \
  -o "$BUILD_DIR/montbrio-sweep.bin"
"$BUILD_DIR/montbrio-sweep.bin" --connectivity builtin:68 \
  --sweep global_coupling=0:0.3:4 --values global_speed=3,10 \
  --duration 500 --output results.h5
