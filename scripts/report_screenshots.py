"""Re-make the screenshots of the HTML reports in docs/images/ (docs/reports.md shows them).

    python scripts/report_screenshots.py

Needs Chromium (`apt-get install chromium`) and the test extras (Playwright drives it). The
bill is of a made-up month of usage (`demo_log`: the same records every run) on the shipped
catalog; the simulation is examples/mixes/seed-routing.toml for May 2026; the budgets are
examples/budgets/ checked on 2026-07-20, when the look-ahead sees DeepSeek's peak pricing.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
MODELS = {  # model: (requests a weekday, prompt tokens, cached, output)
    "deepseek-v4-flash": (400, 3000, 2500, 350),
    "claude-opus-4-7": (40, 6000, 4000, 900),
    "gpt-5.5": (60, 2500, 1500, 500),
    "deepseek-v4-pro": (120, 4000, 3000, 600),
}
SIMULATE = ["simulate", "--mix-file", "examples/mixes/seed-routing.toml", "--month", "2026-05"]
BUDGETS = ["budget", "check", "--at", "2026-07-20"]


def demo_log(path: Path) -> Path:
    """A month of requests (one record each) to four models, fewer at weekends."""
    rng = random.Random(2026)
    lines = []
    for day in range(1, 32):
        weekend = (day + 3) % 7 in (5, 6)  # 2026-05-01 is a Friday
        for model, (requests, prompt, cached, output) in MODELS.items():
            n = int(requests * (0.4 if weekend else 1) * rng.uniform(0.8, 1.2))
            for i in range(n):
                at = f"2026-05-{day:02d}T{i * 24 // n:02d}:{i % 60:02d}:00Z"
                lines.append(json.dumps({
                    "model": model, "timestamp": at, "input": prompt, "cached": cached,
                    "output": int(output * rng.uniform(0.5, 1.5)),
                }))  # fmt: skip
    path.write_text("\n".join(lines) + "\n")
    return path


def page(args: list[str], out: Path) -> Path:
    llmcost = shutil.which("llmcost") or sys.exit("llmcost is not installed")
    html = subprocess.run([llmcost, *args, "--format", "html"], cwd=ROOT, capture_output=True,
                          text=True, check=False)  # fmt: skip
    if not html.stdout.startswith("<!DOCTYPE html>"):
        sys.exit(f"llmcost {' '.join(args)}: {html.stderr}")
    out.write_text(html.stdout, encoding="utf-8")
    return out


def main() -> None:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or sys.exit("no chromium: apt-get install chromium")
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        log = demo_log(work / "may.jsonl")
        budgets = sorted(
            f"examples/budgets/{p.name}" for p in (ROOT / "examples/budgets").glob("*.toml")
        )
        pages = {
            "report-bill.png": page(["bill", str(log)], work / "bill.html"),
            "report-simulate.png": page(SIMULATE, work / "simulate.html"),
            "report-budget.png": page([*BUDGETS, *budgets], work / "budget.html"),
        }
        with sync_playwright() as driver:
            browser = driver.chromium.launch(
                executable_path=chromium, args=["--no-sandbox", "--disable-gpu"]
            )
            view = browser.new_page(viewport={"width": 1280, "height": 700})
            for name, html in pages.items():
                view.goto(html.as_uri())
                view.screenshot(path=str(IMAGES / name), full_page=True)
                print(f"wrote docs/images/{name}")
            browser.close()


if __name__ == "__main__":
    main()
