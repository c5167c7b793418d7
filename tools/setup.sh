#!/usr/bin/env bash
# Installs the Debian packages candlekeep needs (only the missing ones), then configures and builds.
# Runs as root without sudo; uses sudo otherwise. Usage: tools/setup.sh [extra cmake args...]
# Environment: BUILD_DIR (default: build), JOBS (default: nproc).
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake pkg-config ccache
  libgtest-dev libgmock-dev libbenchmark-dev
  librocksdb-dev liblz4-dev libzstd-dev zlib1g-dev libbz2-dev libsnappy-dev
  libcurl4-openssl-dev libssl-dev nlohmann-json3-dev libboost-dev libboost-system-dev
  libspdlog-dev libfmt-dev
  python3 python3-numpy python3-pandas time curl bsdextrautils wrk
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all Debian packages present"
fi

BUILD_DIR="${BUILD_DIR:-build}"
JOBS="${JOBS:-$(nproc)}"
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" "$@" >/dev/null
cmake --build "$BUILD_DIR" -j "$JOBS"
