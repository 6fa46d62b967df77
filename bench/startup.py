"""Start-up of a one-shot `llmcost compare`, against the import floor of its stack.

The floor is `python -c "import typer, rich.console, pydantic"`: what any CLI on this stack
pays before doing anything. Both run as whole processes, interleaved so that machine noise hits
both alike; the figure is the ratio of medians. Targets (issues 10 and 11, with the market
catalog of 4,000+ offerings): the one-shot compare of three models at most 1.0; with `--all`,
the compare of every offering priced at one instant (a 4,000-row table) at most 1.5.

    python bench/startup.py [--runs 21] [--all]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

FLOOR = [sys.executable, "-c", "import typer, rich.console, pydantic"]
LLMCOST = shutil.which("llmcost") or sys.exit("install llmcost first: pip install .")
COMMAND = [
    LLMCOST,
    "compare",
    "deepseek-v4-pro",
    "gpt-5.5",
    "claude-opus-4-7",
    "--input",
    "2k",
    "--cached",
    "1.5k",
    "--output",
    "400",
    "--requests",
    "1M",
    "--at",
    "2026-05-01",
]
ONE_SHOT_TARGET, EVERY_TARGET = 1.0, 1.5
EVERY = [LLMCOST, "compare", "--input", "2k", "--output", "400", "--at", "2026-12-06T12:00Z"]


def wall(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def compile_llmcost() -> None:
    """Write llmcost's bytecode, as `pip install` does for an installed package: without it
    (an editable install under PYTHONDONTWRITEBYTECODE) every run would compile llmcost from
    source while the floor's packages load their bytecode."""
    import compileall

    import llmcost

    compileall.compile_dir(Path(llmcost.__file__).parent, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--all", action="store_true", help="also compare every offering")
    args = parser.parse_args()
    compile_llmcost()
    wall(COMMAND)  # warm the OS file cache and llmcost's validated-catalog cache
    wall(FLOOR)
    floor, command, every = [], [], []
    for _ in range(args.runs):
        floor.append(wall(FLOOR))
        command.append(wall(COMMAND))
        if args.all:
            every.append(wall(EVERY))
    f, c = statistics.median(floor), statistics.median(command)
    print(f"runs: {args.runs} each, interleaved")
    print(f"floor   (import typer, rich.console, pydantic): median {f * 1000:.1f} ms")
    print(f"llmcost compare (3 models, one instant):        median {c * 1000:.1f} ms")
    print(f"ratio: {c / f:.2f} (target <= {ONE_SHOT_TARGET:.2f})")
    if every:
        e = statistics.median(every)
        print(f"llmcost compare (every offering, one instant):  median {e * 1000:.1f} ms")
        print(f"ratio: {e / f:.2f} (target <= {EVERY_TARGET:.2f})")


if __name__ == "__main__":
    main()
