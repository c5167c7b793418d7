#!/usr/bin/env bash
# Set-up, build, and run every test (ctest). Exits non-zero when any test fails.
# Extra arguments go to cmake, e.g. tools/test.sh -DCANDLEKEEP_SANITIZE=ON (use another BUILD_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh "$@"
BUILD_DIR="${BUILD_DIR:-build}"
cd "$BUILD_DIR"
ctest --output-on-failure -j "${JOBS:-$(nproc)}" --timeout 900
