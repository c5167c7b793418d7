#!/usr/bin/python3
"""candlekeep's batch calculator against pandas `resample`, on the same data.

The data is the C++ benchmark's own year of 1-minute candles (525,600 minutes, random walk, 10 %
missing), written by the `ck_bench_data` tool of the build, so both sides aggregate identical
doubles. pandas resamples it into 15m, 1h, 4h and 1d (open first, high max, low min, close last,
volume and value summed, empty buckets dropped as an exchange would); the results are checked
against the C++ results (same buckets, OHLC exactly, sums to a relative 1e-9), then both are timed:
pandas here, C++ with ck_aggregate_bench (aggregate_many over the four, validation on).
Goal: candlekeep >= 20x faster than pandas.

usage: bench/compare_pandas.py [--build-dir build] [--repetitions 7]
(The #! line runs Debian's /usr/bin/python3, whichever python3 comes first on PATH.)
Needs Debian's python3-pandas (and python3-numpy).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

GOAL_RATIO = 20.0
# candlekeep timeframe -> pandas rule
TIMEFRAMES = {"15m": "15min", "1h": "1h", "4h": "4h", "1d": "1D"}
AGG = {"open": "first", "high": "max", "low": "min", "close": "last", "volume": "sum", "value": "sum"}
COLUMNS = ["open", "high", "low", "close", "volume", "value"]


def load_minutes(path):
    """minutes.bin: b"CKMIN001", uint64 n, n int64 times (ms), then n float64 per column."""
    with open(path, "rb") as f:
        if f.read(8) != b"CKMIN001":
            sys.exit(f"{path}: not a ck_bench_data file")
        n = int(np.frombuffer(f.read(8), dtype="<u8")[0])
        times = np.frombuffer(f.read(8 * n), dtype="<i8").copy()
        cols = {c: np.frombuffer(f.read(8 * n), dtype="<f8").copy() for c in COLUMNS}
    index = pd.DatetimeIndex(pd.to_datetime(times, unit="ms", utc=True), name="time")
    return pd.DataFrame(cols, index=index)


def resample(df, rule):
    # origin="epoch": buckets aligned to the UTC epoch, as candlekeep aligns minutes, hours and
    # (with the default day origin 00:00Z) days. A bucket without minutes has NaN open: dropped.
    out = df.resample(rule, origin="epoch", label="left", closed="left").agg(AGG)
    return out.dropna(subset=["open"])


def resample_all(df):
    return {tf: resample(df, rule) for tf, rule in TIMEFRAMES.items()}


def check_against_cpp(results, directory):
    """Same buckets; OHLC exactly equal; volume and value to a relative 1e-9."""
    for tf, ours in results.items():
        cpp = pd.read_csv(os.path.join(directory, f"{tf}.csv"), float_precision="round_trip")
        times = pd.to_datetime(cpp["time"], utc=True)
        if len(cpp) != len(ours) or not (times.values == ours.index.values).all():
            sys.exit(f"{tf}: pandas gives {len(ours)} buckets, candlekeep {len(cpp)}: not the same buckets")
        for c in ["open", "high", "low", "close"]:
            if not np.array_equal(cpp[c].to_numpy(), ours[c].to_numpy()):
                sys.exit(f"{tf}: column {c} differs between pandas and candlekeep")
        for c in ["volume", "value"]:
            if not np.allclose(cpp[c].to_numpy(), ours[c].to_numpy(), rtol=1e-9, atol=0):
                sys.exit(f"{tf}: column {c} differs beyond a relative 1e-9")
        print(f"  {tf:>3}: {len(ours):6d} candles, identical OHLC, sums within 1e-9")


def timed(fn, repetitions):
    """Median wall-clock and CPU milliseconds of `repetitions` calls."""
    wall, cpu = [], []
    for _ in range(repetitions):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return statistics.median(wall) * 1e3, statistics.median(cpu) * 1e3


def time_pandas(df, repetitions):
    together = timed(lambda: resample_all(df), repetitions)
    alone = {tf: timed(lambda rule=rule: resample(df, rule), repetitions)[0] for tf, rule in TIMEFRAMES.items()}
    return together, alone


def time_cpp(bench, repetitions, directory):
    """Median wall-clock and CPU milliseconds per call of each all4/* benchmark."""
    out = os.path.join(directory, "cpp.json")
    subprocess.run([bench, "--benchmark_filter=^all4/", f"--benchmark_repetitions={repetitions}",
                    f"--benchmark_out={out}", "--benchmark_out_format=json"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(out) as f:
        report = json.load(f)
    scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}
    runs = {}
    for b in report["benchmarks"]:
        if b.get("run_type") == "iteration":
            k = scale[b["time_unit"]]
            runs.setdefault(b["run_name"], []).append((b["real_time"] * k, b["cpu_time"] * k))
    return {name: (statistics.median(r for r, _ in t), statistics.median(c for _, c in t)) for name, t in runs.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", default=os.environ.get("BUILD_DIR", "build"),
                        help="the CMake build directory holding bench/ck_bench_data and bench/ck_aggregate_bench")
    parser.add_argument("--repetitions", type=int, default=7)
    args = parser.parse_args()
    data_tool = os.path.join(args.build_dir, "bench", "ck_bench_data")
    bench = os.path.join(args.build_dir, "bench", "ck_aggregate_bench")
    for tool in (data_tool, bench):
        if not os.access(tool, os.X_OK):
            sys.exit(f"{tool} not found; build it: cmake --build {args.build_dir} --target ck_bench_data ck_aggregate_bench")

    with tempfile.TemporaryDirectory() as directory:
        subprocess.run([data_tool, directory], check=True, stdout=subprocess.DEVNULL)
        df = load_minutes(os.path.join(directory, "minutes.bin"))
        print(f"data: {len(df):,} one-minute candles, {df.index[0]} .. {df.index[-1]} "
              f"(ck_bench_data: 525,600 minutes, random walk, 10 % missing)")
        print(f"pandas {pd.__version__}, numpy {np.__version__}; checking pandas against candlekeep:")
        check_against_cpp(resample_all(df), directory)

        (pandas_wall, pandas_cpu), alone = time_pandas(df, args.repetitions)
        cpp = time_cpp(bench, args.repetitions, directory)

    cpp_wall, cpp_cpu = cpp["all4/validate"]
    ratio, cpu_ratio = pandas_wall / cpp_wall, pandas_cpu / cpp_cpu
    print(f"\nmedian of {args.repetitions} runs, 1m -> 15m + 1h + 4h + 1d together   (wall-clock / CPU time)")
    print(f"  pandas resample          {pandas_wall:8.2f} / {pandas_cpu:8.2f} ms   (alone: "
          + ", ".join(f"{tf} {ms:.1f}" for tf, ms in alone.items()) + " ms)")
    print(f"  candlekeep aggregate_many {cpp_wall:7.3f} / {cpp_cpu:8.3f} ms   (input validation on)")
    if "all4/no_validate" in cpp:
        print(f"  candlekeep, no validation {cpp['all4/no_validate'][0]:7.3f} / {cpp['all4/no_validate'][1]:8.3f} ms")
    verdict = "MET" if ratio >= GOAL_RATIO else "MISSED"
    print(f"  candlekeep is {ratio:.1f}x faster (CPU time: {cpu_ratio:.1f}x); goal >= {GOAL_RATIO:.0f}x: {verdict}")


if __name__ == "__main__":
    main()
