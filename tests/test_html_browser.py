"""The HTML reports in a real browser: Debian's Chromium, headless, driven by Playwright (never
`playwright install`: no browser is downloaded). One browser for the session; each page is
opened from a file, as a user opens a saved report, and must render its charts with no
console error, no failed script, no dialog and no request but the file itself.

Without Chromium the tests skip, saying so; under CI (`CI` set) they fail instead, since
`.ci/run` installs it. `test_html_reports.py` checks the same pages' figures as text.
"""

from __future__ import annotations

import os
import shutil

import pytest

from tests.test_html_reports import BUDGETS, HOSTILE, PRICING, RECORDS, html_of, write_log

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


def _absent(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: .ci/run installs it, so CI must not skip the browser tests")
    pytest.skip(f"{reason} (apt-get install chromium; pip install playwright)")


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        _absent("no Chromium on PATH")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _absent("the playwright package is not installed")
    with sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser, tmp_path):
    """`open_page(html)`: the page loaded from a file, and what it did (console messages,
    page errors, dialogs, requests)."""
    contexts = []

    def open_(html: str):
        path = tmp_path / "report.html"
        path.write_text(html, encoding="utf-8")
        context = browser.new_context(viewport={"width": 1100, "height": 900})
        contexts.append(context)
        page = context.new_page()
        seen = {"console": [], "errors": [], "dialogs": [], "requests": []}
        page.on("console", lambda m: seen["console"].append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: seen["errors"].append(str(e)))
        page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
        page.on("request", lambda r: seen["requests"].append(r.url))
        page.goto(path.as_uri(), wait_until="load")
        return page, seen, path.as_uri()

    yield open_
    for context in contexts:
        context.close()


def quiet(seen: dict, url: str) -> None:
    assert seen["console"] == []  # no error, no warning (a CSP violation would be one)
    assert seen["errors"] == [] and seen["dialogs"] == []
    assert seen["requests"] == [url]  # the file itself and nothing else


def drawn(page, selector: str) -> None:
    """The element is laid out with a real size (the page rendered it)."""
    box = page.locator(selector).bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 100, box


def test_bill_in_chromium(open_page, tmp_path):
    records = [*RECORDS, ("alpha-flash", "2026-01-11T08:00:00Z", 10, 10, HOSTILE)]
    log = write_log(tmp_path / "u.jsonl", records)
    page, seen, url = open_page(html_of("bill", str(log), "--catalog", str(PRICING), "-g", "user"))
    quiet(seen, url)
    chart = 'svg[data-chart="bill-daily"]'
    drawn(page, chart)
    assert page.locator(f"{chart} g.series").count() == 3  # ann, bob, the hostile user
    assert page.locator(f"{chart} rect.bar").count() == 4  # ann 2 days, bob 1, hostile 1
    assert page.locator("table tbody tr").count() == 3
    assert page.locator("script, img, iframe, object, embed").count() == 0
    assert HOSTILE in page.locator("table").inner_text()  # shown as text
    assert page.evaluate("document.title").startswith("Bill, catalog")


def test_simulate_in_chromium(open_page):
    page, seen, url = open_page(
        html_of(
            "simulate",
            "--mix",
            "alpha-flash=50-70,beta-large=30-50",
            "--input",
            "1000",
            "--output",
            "100",
            "--requests",
            "1000",
            "--at",
            "2026-01-10",
            "--sweep",
            "output=100:300:100",
            "--catalog",
            str(PRICING),
        )
    )
    quiet(seen, url)
    drawn(page, 'svg[data-chart="simulate-mix"]')
    drawn(page, 'svg[data-chart="simulate-sweep"]')
    spans = page.locator('svg[data-chart="simulate-mix"] g.span')
    assert spans.count() == 3  # the mix and its two baselines
    assert page.locator('svg[data-chart="simulate-mix"] rect.range').count() >= 1  # a range
    assert page.locator('svg[data-chart="simulate-sweep"] g.span').count() == 3


def test_budget_check_in_chromium(open_page):
    files = [str(BUDGETS / n) for n in ("ok.toml", "over.toml", "bad-toml.toml")]
    page, seen, url = open_page(
        html_of(
            "budget", "check", *files, "--at", "2026-02-21", "--catalog", str(PRICING), codes=(2,)
        )
    )
    quiet(seen, url)
    chart = 'svg[data-chart="budget-use"]'
    drawn(page, chart)
    statuses = page.locator(f"{chart} g.gauge").evaluate_all("gs => gs.map(g => g.dataset.status)")
    assert statuses == ["ok", "over", "error"]
    assert page.locator(f"{chart} rect.bar").count() == 2  # the error has no bar
    assert page.locator(f"{chart} path.mark").count() >= 2  # the peak window, seen ahead
    assert page.locator(f"{chart} line.limit").count() == 1


def test_long_names_and_labels_stay_inside_the_page(open_page, tmp_path):
    """A 100,000-character user keeps the bill page within the window; a budget's long value
    label ("... OVER") is squeezed inside its chart, not clipped at its right edge."""
    log = write_log(tmp_path / "u.jsonl", [("alpha-flash", "2026-01-10T08:00:00Z", 10, 1,
                                            "u" * 100_000)])  # fmt: skip
    page, seen, url = open_page(html_of("bill", str(log), "--catalog", str(PRICING), "-g", "user"))
    quiet(seen, url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1100
    over = tmp_path / "over.toml"
    over.write_text((BUDGETS / "over.toml").read_text().replace("limit = 2", "limit = 0.0001"))
    page, seen, url = open_page(
        html_of("budget", "check", str(over), "--at", "2026-01-10", "--catalog", str(PRICING))
    )
    quiet(seen, url)
    label = page.locator('svg[data-chart="budget-use"] text.value')
    assert label.text_content().endswith(": OVER")
    right = label.evaluate("t => t.getBBox().x + t.getBBox().width")
    assert right <= 960, right  # the chart's viewBox is 960 wide
