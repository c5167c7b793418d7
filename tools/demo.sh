#!/usr/bin/env bash
# The main job: set-up and build, then the whole pipeline against the exchange simulator on loopback:
#   1. collect 200 markets x 30 days of 1-minute candles (and again: nothing is refetched),
#   2. screen them: 720 hourly candles per market with indicators, from a fresh process (L3),
#   3. backtest export: one year of 15m / 1h / 4h of KRW-BTC (its missing 335 days are collected first),
#      checked with NumPy against the manifest,
#   4. the same screen over HTTP (candlekeep serve), cold then warm,
# and a report: requests vs the minimum, candles stored, bytes per candle, each scenario's time against
# the user's targets, cache hit rates, peak memory. Processes are stopped and files removed on exit
# (CK_DEMO_KEEP=1 keeps the work directory). Against the real exchange: docs/getting-started.md.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
BUILD_DIR="${BUILD_DIR:-build}"
CK="$(pwd)/$BUILD_DIR/tools/candlekeep"
PY=/usr/bin/python3  # Debian's, which has the python3-numpy that setup.sh installs
MARKETS=200
DAYS=30

WORK="$(mktemp -d "${TMPDIR:-/tmp}/candlekeep-demo.XXXXXX")"
DATA="$WORK/data"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "${CK_DEMO_KEEP:-0}" = 1 ]; then echo "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# Starts "$@" in the background; its first stdout line is "listening on URL". Sets $URL.
start_server() {
  local log="$1"
  shift
  "$@" > "$log" 2> "$log.err" &
  PIDS+=($!)
  for _ in $(seq 1 200); do
    URL="$(sed -n 's/^listening on //p' "$log")"
    [ -n "$URL" ] && return 0
    kill -0 "${PIDS[-1]}" 2>/dev/null || break
    sleep 0.05
  done
  echo "demo: $1 did not start:" >&2
  cat "$log.err" >&2
  exit 1
}

# Runs a step under /usr/bin/time; its seconds and peak RSS (KiB) land in $WORK/<name>.time.
timed() {
  local name="$1"
  shift
  /usr/bin/time -f "%e %M" -o "$WORK/$name.time" "$@"
}

ms_now() { date +%s%3N; }
START_MS=$(ms_now)
FROM_30D="$(date -u -d "$DAYS days ago" +%Y-%m-%d)"
FROM_1Y="$(date -u -d '365 days ago' +%Y-%m-%d)"
TODAY="$(date -u +%Y-%m-%d)"

echo "== exchange simulator: $MARKETS KRW markets, a year of history, no rate limit (loopback)"
start_server "$WORK/sim.out" "$CK" sim --port 0 --markets "$MARKETS" --history-days 366 --rate-limit 0 --threads 2
SIM="$URL"
echo "   $SIM"

echo "== 1. collect: $MARKETS markets x $DAYS days of 1-minute candles (from $FROM_30D)"
timed sync1 "$CK" sync --data "$DATA" --exchange-url "$SIM" --markets all --from "$FROM_30D" --rate 0 --jobs 4 |
  tee "$WORK/sync1.out"
"$CK" stats --data "$DATA" --format json > "$WORK/stats1.json"
curl -fsS "$SIM/sim/stats" > "$WORK/sim1.json"
echo "   again (everything is stored: no candle page is requested):"
timed sync2 "$CK" sync --data "$DATA" --exchange-url "$SIM" --markets all --from "$FROM_30D" --rate 0 --jobs 4 |
  tee "$WORK/sync2.out"
curl -fsS "$SIM/sim/stats" > "$WORK/sim2.json"

echo "== 2. screen: $MARKETS markets x 720 x 1h, sma:20, rsi:14, bb_upper:20:2 (a fresh process: from L3)"
timed screen "$CK" screen --data "$DATA" --timeframe 1h --bars 720 --markets all \
  --indicators sma:20,rsi:14,bb_upper:20:2 --sort -change --format csv > "$WORK/screen.csv"
echo "   top 5 by change over the window (of $(($(wc -l < "$WORK/screen.csv") - 1)) rows):"
head -6 "$WORK/screen.csv" | column -t -s, | sed 's/^/   /'
echo "   --where 'rsi14 < 30 and close < sma20':"
"$CK" screen --data "$DATA" --timeframe 1h --bars 720 --markets all --indicators sma:20,rsi:14 \
  --where 'rsi14 < 30 and close < sma20' --sort rsi14 --format csv > "$WORK/oversold.csv"
echo "   $(($(wc -l < "$WORK/oversold.csv") - 1)) markets; first: $(sed -n 2p "$WORK/oversold.csv" | cut -d, -f1)"

echo "== 3. backtest export: KRW-BTC, 15m / 1h / 4h, $FROM_1Y .. $TODAY, npy (collect its missing 335 days first)"
BTC_BEFORE="$("$PY" -c 'import json,sys; print(next(m["candles"] for m in json.load(open(sys.argv[1]))["markets"] if m["market"]=="KRW-BTC"))' "$WORK/stats1.json")"
timed sync3 "$CK" sync --data "$DATA" --exchange-url "$SIM" --markets KRW-BTC --from "$FROM_1Y" --rate 0 |
  sed 's/^/   /'
curl -fsS "$SIM/sim/stats" > "$WORK/sim3.json"
timed export "$CK" export --data "$DATA" --markets KRW-BTC --timeframes 15m,1h,4h --from "$FROM_1Y" --to "$TODAY" \
  --format npy --out "$WORK/backtest" | sed 's/^/   /'
"$PY" - "$WORK/backtest" <<'EOF'
import hashlib, json, os, sys
import numpy as np
out = sys.argv[1]
manifest = json.load(open(os.path.join(out, "manifest.json")))
for f in manifest["files"]:
    path = os.path.join(out, f["name"])
    a = np.load(path)
    assert len(a) == f["rows"], (f["name"], len(a), f["rows"])
    assert hashlib.sha256(open(path, "rb").read()).hexdigest() == f["sha256"], f["name"]
    assert (np.diff(a["time"]) > 0).all() and (a["high"] >= a["low"]).all(), f["name"]
    print(f"   numpy: {f['name']:<20} {len(a):6d} rows, sha256 ok, close {a['close'][0]:,.0f} -> {a['close'][-1]:,.0f}")
EOF

echo "== 4. HTTP: candlekeep serve, GET /v1/screen cold then warm"
start_server "$WORK/serve.out" "$CK" serve --data "$DATA" --port 0 --exchange-url "$SIM"
API="$URL"
Q="timeframe=1h&bars=720&markets=all&indicators=sma:20,rsi:14,bb_upper:20:2&format=csv"
curl -fsS -o "$WORK/http_screen.csv" -w '%{time_total}\n' "$API/v1/screen?$Q" > "$WORK/http_cold.s"
for _ in 1 2 3 4 5; do curl -fsS -o /dev/null -w '%{time_total}\n' "$API/v1/screen?$Q"; done | sort -n | head -3 |
  tail -1 > "$WORK/http_warm.s"  # the median of five
curl -fsS "$API/v1/stats" > "$WORK/http_stats.json"
SERVE_PID="${PIDS[-1]}"
grep VmHWM "/proc/$SERVE_PID/status" | awk '{print $2}' > "$WORK/serve.rss"
kill -TERM "$SERVE_PID"
wait "$SERVE_PID" 2>/dev/null || true
grep VmHWM "/proc/${PIDS[0]}/status" | awk '{print $2}' > "$WORK/sim.rss"
"$CK" stats --data "$DATA" --format json > "$WORK/stats3.json"
END_MS=$(ms_now)

"$PY" - "$WORK" "$BTC_BEFORE" "$START_MS" "$END_MS" <<'EOF'
import json, os, sys
work, btc_before, start_ms, end_ms = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
J = lambda name: json.load(open(os.path.join(work, name)))
def timed(name):
    secs, kib = open(os.path.join(work, name + ".time")).read().split()
    return float(secs), int(kib)
def pages(sim):  # candle-page requests the exchange answered
    return sum(n for path, n in sim["requests"].items() if path.startswith("/v1/candles/"))
def minimum(candles):  # a page holds at most 200 candles: no collector can do with fewer pages
    return -(-candles // 200)

s1, s3 = J("stats1.json"), J("stats3.json")
sim1, sim2, sim3 = J("sim1.json"), J("sim2.json"), J("sim3.json")
btc_after = next(m["candles"] for m in s3["markets"] if m["market"] == "KRW-BTC")
req_sync = pages(sim1)
min_sync = sum(minimum(m["candles"]) for m in s1["markets"])
req_again = pages(sim2) - pages(sim1)
req_year = pages(sim3) - pages(sim2)
min_year = minimum(btc_after - btc_before)
candles = sum(m["candles"] for m in s3["markets"])
l3 = sum(m["l3_bytes"] for m in s3["markets"])
sync_s, sync_kib = timed("sync1")
sync2_s, sync2_kib = timed("sync2")
screen_s, screen_kib = timed("screen")
export_s, export_kib = timed("export")
sync3_s, sync3_kib = timed("sync3")
cold = float(open(os.path.join(work, "http_cold.s")).read())
warm = float(open(os.path.join(work, "http_warm.s")).read())
serve_kib = int(open(os.path.join(work, "serve.rss")).read())
sim_kib = int(open(os.path.join(work, "sim.rss")).read())
tiers = J("http_stats.json")["tiers"]
def rate(t):
    total = t["hits"] + t["misses"]
    return f"{100.0 * t['hits'] / total:5.1f} % of {total}" if total else "  (no reads)"
def verdict(secs, goal):
    return "met" if secs <= goal else "MISSED"

print()
print("== report")
print(f"requests (candle pages)  first sync {req_sync} (lower bound {min_sync}); second sync {req_again};"
      f" KRW-BTC year {req_year} (lower bound {min_year}); rate-limit violations {sim3['rate_limit_violations']}")
print("                         (lower bound: the sum of ceil(candles / 200) per market and run; a market whose"
      " range opens with empty minutes and fills whole pages needs one page more to prove them empty)")
print(f"candles stored           {candles:,} in {len(s3['markets'])} markets; "
      f"L3 {l3 / 1e6:.1f} MB = {l3 / candles:.2f} bytes per candle (goal <= 12)")
print(f"screener scenario        first time: collect {sync_s:.1f} s + screen {screen_s:.2f} s = {sync_s + screen_s:.1f} s"
      f" (target 30 s: {verdict(sync_s + screen_s, 30)}); store up to date: sync {sync2_s:.2f} s + screen"
      f" {screen_s:.2f} s = {sync2_s + screen_s:.2f} s ({verdict(sync2_s + screen_s, 30)})")
print(f"backtest scenario        collect the year {sync3_s:.1f} s + export {export_s:.2f} s ="
      f" {sync3_s + export_s:.1f} s (target 300 s: {verdict(sync3_s + export_s, 300)})")
print(f"HTTP /v1/screen          cold {cold * 1000:.0f} ms, warm {warm * 1000:.1f} ms")
print(f"cache hit rates (serve)  L1 {rate(tiers['l1'])}   L2 {rate(tiers['l2'])}   L3 {rate(tiers['l3'])}")
print(f"peak memory (RSS)        sync {sync_kib / 1024:.0f} MB, screen {screen_kib / 1024:.0f} MB,"
      f" export {max(export_kib, sync3_kib) / 1024:.0f} MB, serve {serve_kib / 1024:.0f} MB (the simulator {sim_kib / 1024:.0f} MB)")
print(f"whole job                {(end_ms - start_ms) / 1000:.1f} s (after the build)")
if req_again != 0 or req_sync < min_sync:
    sys.exit("demo: unexpected request counts")
EOF
