#!/usr/bin/env bash
# The main job: set-up, build, then resample a bundled real 1-minute data set (Bybit BTCUSDT,
# 30 days) into 15m / 1h / 4h / 1d and print a short summary of each.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
BUILD_DIR="${BUILD_DIR:-build}"
CK="$BUILD_DIR/tools/candlekeep"
DATA=tests/data/real/bybit_BTCUSDT_1m.csv.gz
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
gzip -dc "$DATA" > "$OUT/minutes.csv"
echo "input: $DATA ($(($(wc -l < "$OUT/minutes.csv") - 1)) one-minute candles)"
for tf in 15m 1h 4h 1d; do
  "$CK" resample --input "$OUT/minutes.csv" --timeframe "$tf" --output "$OUT/$tf.csv"
  rows=$(($(wc -l < "$OUT/$tf.csv") - 1))
  first=$(sed -n 2p "$OUT/$tf.csv" | cut -d, -f1)
  last=$(tail -1 "$OUT/$tf.csv")
  printf '%-4s %6d candles  first %s  last %s\n' "$tf" "$rows" "$first" "$last"
done
