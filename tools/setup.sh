#!/usr/bin/env bash
# Installs what rateml needs from Debian 12's packages (only what is
# missing, quietly when nothing is), then configures and builds rateml in
# build/. Used by tools/demo.sh and tools/check.sh; safe to run repeatedly.
#
# Environment: RATEML_BUILD_DIR (default build), RATEML_JOBS (default 2).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${RATEML_BUILD_DIR:-$ROOT/build}"
JOBS="${RATEML_JOBS:-2}"

PACKAGES=(
  cmake ninja-build g++ python3
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools
  clang-22 lld-22 libclang-rt-22-dev clang-format-22
  libxml2-dev libgtest-dev
  pkg-config libzip-dev libbz2-dev libhdf5-dev libssl-dev nlohmann-json3-dev
  python3-numpy python3-h5py python3-matplotlib python3-xarray python3-h5netcdf
  python3-dev pybind11-dev python3-pytest python3-cmaes
  openmpi-bin libopenmpi-dev libhdf5-openmpi-dev python3-mpi4py
  qemu-user gdb
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=()
  if [[ $EUID -ne 0 ]]; then
    command -v sudo >/dev/null || {
      echo "setup: need root (or sudo) to install: ${missing[*]}" >&2
      exit 1
    }
    SUDO=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
  cmake -G Ninja -S "$ROOT" -B "$BUILD_DIR" \
    -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DRATEML_LINK_MLIR_DYLIB=ON >/dev/null
fi
if ! ninja -C "$BUILD_DIR" -j "$JOBS" >"$BUILD_DIR/build.log" 2>&1; then
  tail -n 40 "$BUILD_DIR/build.log" >&2
  echo "setup: the build failed; full log in $BUILD_DIR/build.log" >&2
  exit 1
fi
