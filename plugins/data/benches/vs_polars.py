#!/usr/bin/env python3
"""`toolhost run data` against polars, whole process against whole process (issue 20).

Writes the reference file once (1,000,000 rows `id,cat,x,y`: cat one of 20 short strings,
x ~ N(0,1), y ~ U(0,1), both with 6 decimals; seed 20), then times three tasks, each as a
whole process started from here (process start, set-up, reading the file, output):

  summary   count, mean, sd, min and max of x and y, and the distinct count of cat
  query     filter y > 0.5, group by cat with count and mean of x, sort by that mean, descending
  describe  our `describe` against polars' `describe()` (which also computes quartiles)

Ours is the release binary (`cargo build --release -p toolhost`) with the file's directory
granted read-only; polars runs as `python -c` with POLARS_MAX_THREADS=2 and =1. Runs are
interleaved (ours, polars 2 threads, polars 1 thread, ours, ...) so a drift in the machine's
speed hits all alike; medians are printed, and the ratio polars / ours (above 1: we are faster).
Polars' in-process time (the collect alone, timed inside its process) and ours (the tool's
own open + parse + ops + render, from `toolhost run -v`) are printed beside them.

Usage: python plugins/data/benches/vs_polars.py [RUNS]   (default 9)
Needs polars: python3 -m venv target/polars-venv &&
              target/polars-venv/bin/pip install --no-cache-dir polars
and runs this script with that venv's python.
"""

import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
TOOLHOST = TARGET / "release" / "toolhost"
DATA_DIR = TARGET / "data-vs-polars"
FILE = DATA_DIR / "reference.csv"
ROWS = 1_000_000
SEED = 20
CATEGORIES = [
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
    "juliet", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo",
    "sierra", "tango",
]


def write_reference():
    if FILE.exists():
        return
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    lines = ["id,cat,x,y\n"]
    for i in range(ROWS):
        lines.append(
            f"{i},{rng.choice(CATEGORIES)},{rng.gauss(0.0, 1.0):.6f},{rng.random():.6f}\n"
        )
    tmp = FILE.with_suffix(".tmp")
    tmp.write_text("".join(lines))
    tmp.rename(FILE)


OURS = {
    "summary": {
        "ops": [
            {
                "op": "aggregate",
                "aggs": [
                    "count(x)", "mean(x)", "sd(x)", "min(x)", "max(x)",
                    "count(y)", "mean(y)", "sd(y)", "min(y)", "max(y)",
                    "n_unique(cat)",
                ],
            }
        ]
    },
    "query": {
        "ops": [
            {"op": "filter", "expr": "y > 0.5"},
            {"op": "group_by", "by": ["cat"], "aggs": ["count", "mean(x)"]},
            {"op": "sort", "by": [{"column": "mean(x)", "desc": True}]},
        ]
    },
    "describe": {"ops": [{"op": "describe"}]},
}

POLARS = {
    "summary": """
lf = pl.scan_csv(PATH)
out = lf.select(
    *[f(c).name.suffix(s) for c in ("x", "y") for f, s in (
        (lambda c: pl.col(c).count(), "_count"), (lambda c: pl.col(c).mean(), "_mean"),
        (lambda c: pl.col(c).std(), "_sd"), (lambda c: pl.col(c).min(), "_min"),
        (lambda c: pl.col(c).max(), "_max"))],
    pl.col("cat").n_unique().alias("cat_n_unique"),
).collect()
""",
    "query": """
out = (pl.scan_csv(PATH).filter(pl.col("y") > 0.5)
       .group_by("cat").agg(pl.len().alias("count"), pl.col("x").mean().alias("mean_x"))
       .sort("mean_x", descending=True).collect())
""",
    "describe": """
out = pl.read_csv(PATH).describe()
""",
}


def polars_program(task):
    body = POLARS[task].strip().replace("\n", "\n    ")
    return (
        "import time, polars as pl\n"
        f"PATH = {str(FILE)!r}\n"
        "t = time.perf_counter()\n"
        "if True:\n"
        f"    {body}\n"
        "print('inprocess', time.perf_counter() - t)\n"
        "print(out)\n"
    )


def registry_file():
    yaml = (
        "tools:\n  - name: data\n    component: builtin:data\n"
        "    limits: { timeout_ms: 30000, memory_mb: 512, max_output_bytes: 8388608 }\n"
        f"    grants:\n      dirs: [ {{ host: {json.dumps(str(DATA_DIR))}, guest: /data, mode: read-only }} ]\n"
    )
    f = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
    f.write(yaml)
    f.close()
    return f.name


def timed(cmd, env=None):
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{cmd[0]} failed ({done.returncode}): {done.stderr[-2000:]}")
    return wall, done


LOG = re.compile(
    r"open ([\d.]+) ms, read and parse ([\d.]+) ms, ops ([\d.]+) ms, render ([\d.]+) ms"
)


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    if not TOOLHOST.exists():
        sys.exit(f"{TOOLHOST} is missing: cargo build --release -p toolhost")
    write_reference()
    registry = registry_file()
    cache = TARGET / "data-vs-polars" / "component-cache"
    base = [str(TOOLHOST), "--registry", registry, "--cache-dir", str(cache)]
    mb = FILE.stat().st_size / 1e6
    print(f"{ROWS:,} rows, {mb:.1f} MB, {runs} interleaved runs each, medians in seconds")
    print(
        f"{'task':9} {'ours':>7} {'(in-proc)':>9}  {'polars 2t':>9} {'(in-proc)':>9} "
        f"{'ratio':>6}  {'polars 1t':>9} {'(in-proc)':>9} {'ratio':>6}"
    )
    for task in ("summary", "query", "describe"):
        args = json.dumps({"path": "/data/reference.csv", **OURS[task]})
        ours_cmd = base + ["run", "-v", "data", args]
        program = polars_program(task)
        envs = {}
        for threads in (2, 1):
            env = dict(os.environ, POLARS_MAX_THREADS=str(threads))
            envs[threads] = env
        # Warm-up: compiles the component into the cache, loads the file into the page cache.
        timed(ours_cmd)
        timed([sys.executable, "-c", program], envs[2])
        ours, ours_in, pol = [], [], {2: ([], []), 1: ([], [])}
        for _ in range(runs):
            wall, done = timed(ours_cmd)
            ours.append(wall)
            m = LOG.search(done.stderr)
            if m:
                ours_in.append(sum(float(g) for g in m.groups()) / 1e3)
            for threads in (2, 1):
                wall, done = timed([sys.executable, "-c", program], envs[threads])
                pol[threads][0].append(wall)
                pol[threads][1].append(float(done.stdout.split()[1]))
        med = statistics.median
        o = med(ours)
        oi = f"{med(ours_in):.3f}" if ours_in else "-"
        cells = []
        for threads in (2, 1):
            p = med(pol[threads][0])
            cells.append(f"{p:9.3f} {med(pol[threads][1]):9.3f} {p / o:5.2f}x")
        print(f"{task:9} {o:7.3f} {oi:>9}  {cells[0]}  {cells[1]}")
    os.unlink(registry)


if __name__ == "__main__":
    main()
