#!/usr/bin/env bash
# The main job on the shipped default: sets up and builds rateml, compiles
# models/montbrio.xml, and prints its verified MLIR and a one-screen summary.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/tools/setup.sh"
BUILD_DIR="${RATEML_BUILD_DIR:-$ROOT/build}"
"$BUILD_DIR/bin/rateml-compile" "$ROOT/models/montbrio.xml" --emit=mlir --summary
