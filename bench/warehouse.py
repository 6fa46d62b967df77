"""Benchmark: canonical usage priced by `llmcost bill`, by the warehouse expression on
DuckDB (`bill --engine duckdb`) and on Spark local[2] (`bill --engine spark`).

    python bench/warehouse.py [ROWS] [--no-spark]   # default 10,000,000; the log is made once

Writes /tmp/llmcost-bench/canonical-ROWS.jsonl (canonical records across Sept-Nov 2026 on
four shipped models: DeepSeek's peak windows, GPT-5.5's long-context tier, batch), then runs
each as a whole process (`python -m llmcost bill --format json --catalog 2026-12-06`), the
log read once before timing, and prints seconds, rows/s and the ratio to `bill`. Every run
must give the same total: the bench checks it. Not a timed test.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODELS = ("deepseek-v4-flash", "deepseek-v4-pro", "gpt-5.5", "claude-sonnet-4-6")
START = 1_788_220_800  # 2026-09-01 00:00 UTC
SPAN = 91 * 86_400


def make_log(rows: int) -> Path:
    path = Path("/tmp/llmcost-bench") / f"canonical-v3-{rows}.jsonl"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(14)
    tmp = path.with_suffix(".part")
    with tmp.open("w") as out:
        for _ in range(rows):
            model = rng.choice(MODELS)
            long = 300_000 if model != "claude-sonnet-4-6" else 150_000  # within its window
            prompt = rng.choice((800, 2_000, 30_000, long))
            cached = rng.randrange(0, prompt // 2 + 1)
            out.write(json.dumps({
                "model": model,
                "timestamp": START + rng.randrange(SPAN),
                "input": prompt, "cached": cached, "cache_write": 0, "cache_write_1h": 0,
                "output": rng.randrange(1, 4_000),
                "batch": not model.startswith("deepseek") and rng.random() < 0.2,
            }) + "\n")  # fmt: skip
    tmp.rename(path)
    return path


def run(log: Path, engine: str | None) -> tuple[float, str]:
    cmd = [sys.executable, "-m", "llmcost", "bill", str(log), "--format", "json",
           "--catalog", "2026-12-06", "--allow-rejects"]  # fmt: skip
    if engine:
        cmd += ["--engine", engine]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"),
           "PYSPARK_SUBMIT_ARGS": "--master local[2] --driver-memory 2g pyspark-shell"}  # fmt: skip
    began = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    took = time.perf_counter() - began
    if done.returncode not in (0, 1):
        raise SystemExit(f"{engine or 'bill'} failed: {done.stderr.strip()[-500:]}")
    doc = json.loads(done.stdout)
    if doc["rejected"]:  # a rejection sends `bill` line by line: not the path to time
        raise SystemExit(f"{engine or 'bill'}: {doc['rejected']} records rejected")
    return took, doc["totals"]["USD"]


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    rows = int(args[0]) if args else 10_000_000
    engines = (None, "duckdb") if "--no-spark" in sys.argv else (None, "duckdb", "spark")
    log = make_log(rows)
    log.read_bytes()  # warm the page cache
    results = {}
    for engine in engines:
        took, total = run(log, engine)
        results[engine or "bill"] = (took, total)
        print(f"{engine or 'bill':>7}: {took:8.2f} s  {rows / took:12,.0f} rows/s  total {total}",
              flush=True)  # fmt: skip
    totals = {t for _, t in results.values()}
    assert len(totals) == 1, f"the totals differ: {results}"
    base = results["bill"][0]
    for name, (took, _) in results.items():
        print(f"{name:>7}: {took / base:6.2f}x bill")


if __name__ == "__main__":
    main()
