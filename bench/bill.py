"""Benchmark `llmcost bill` against a bare DuckDB `read_json` count over the same log.

Generates a JSONL log (mixed shapes, models and instants across 2026) under
$LLMCOST_BENCH_DIR (default /tmp/llmcost-bench, never the repository),
then times, each as a whole process: `llmcost bill` on it, `llmcost bill` on a 1-line log,
and `duckdb.read_json(...).count`. Marginal records/s = lines / (t_big - t_one).
Usage: python bench/bill.py [LINES] [--priced]   (default 1,000,000). Peak RSS from
/usr/bin/time if any. The log as the issue asked for it has instants across all of 2026, so
about a quarter of its records fall before their model's release and are rejected (each listed
in the JSON); `--priced` draws instants from 2026-05-01 on instead, when every model is out.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
OUT = Path(os.environ.get("LLMCOST_BENCH_DIR", "/tmp/llmcost-bench"))
MODELS = ["deepseek-v4-pro", "deepseek-v4-flash", "gpt-5.5", "gpt-5.4-mini",
          "claude-opus-4-7", "claude-sonnet-4-6", "gemini-3.1-pro-preview"]  # fmt: skip


PRICED_FROM = 1777593600  # 2026-05-01 UTC


def record(rng: random.Random, priced: bool = False) -> dict:
    start = PRICED_FROM if priced else 1767225600  # 2026-01-01 UTC
    ts = start + rng.randrange(1798761600 - start)  # to 2027-01-01 UTC
    model = rng.choice(MODELS)
    p, c, o = rng.randrange(100, 300_000), rng.randrange(0, 50), rng.randrange(1, 4000)
    shape = rng.randrange(4)
    if shape == 0:
        usage = {"usage": {"prompt_tokens": p, "prompt_tokens_details": {"cached_tokens": c},
                           "completion_tokens": o}}  # fmt: skip
    elif shape == 1:
        usage = {"usage": {"input_tokens": p, "cache_read_input_tokens": c, "output_tokens": o}}
    elif shape == 2:
        usage = {"usageMetadata": {"promptTokenCount": p, "candidatesTokenCount": o}}
    else:
        usage = {"input": p, "cached": c, "output": o}
    return {"model": model, "timestamp": ts, "user": f"u{rng.randrange(50)}", **usage}


def generate(path: Path, lines: int, priced: bool = False) -> None:
    rng = random.Random(5)
    with path.open("w") as f:
        for _ in range(lines):
            f.write(json.dumps(record(rng, priced)) + "\n")


COUNT = (
    'import duckdb, sys; print(duckdb.execute("SELECT count(*) FROM read_json(?, '
    "format = 'newline_delimited')\", [sys.argv[1]]).fetchall())"
)


def timed(cmd: list[str]) -> tuple[float, str]:
    """Wall time and peak RSS of one whole process running this checkout's `src/`."""
    wrapper = ["/usr/bin/time", "-f", "%M"] if Path("/usr/bin/time").exists() else []
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    start = time.perf_counter()
    proc = subprocess.run(wrapper + cmd, capture_output=True, text=True, check=True, env=env)
    elapsed = time.perf_counter() - start
    rss = proc.stderr.strip().splitlines()[-1] + " KB" if wrapper else "n/a"
    return elapsed, rss


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--priced"]
    priced = "--priced" in sys.argv[1:]
    lines = int(args[0]) if args else 1_000_000
    OUT.mkdir(parents=True, exist_ok=True)
    big = OUT / f"usage-{'priced-' if priced else ''}{lines}.jsonl"
    one = OUT / "usage-1.jsonl"
    if not big.exists():
        generate(big, lines, priced)
    generate(one, 1)
    bill = [sys.executable, "-m", "llmcost", "bill", "--format", "json", "--catalog", "2026-09-10"]
    count = [sys.executable, "-c", COUNT]
    t_one, _ = timed([*bill, str(one)])
    t_big, rss = timed([*bill, str(big)])
    t_read, rss_read = timed([*count, str(big)])
    print(f"lines: {lines:,}  size: {big.stat().st_size / 1e6:.0f} MB")
    print(f"llmcost bill, 1 line:     {t_one:6.2f} s")
    print(f"llmcost bill, all lines:  {t_big:6.2f} s  peak RSS {rss}")
    print(f"duckdb read_json count:   {t_read:6.2f} s  peak RSS {rss_read}")
    print(f"ratio bill / bare read:   {t_big / t_read:6.2f}x")
    print(f"marginal records/s:       {lines / (t_big - t_one):,.0f}")


if __name__ == "__main__":
    main()
