"""`--format html` of `bill`, `simulate` and `budget check`, read as text: what each chart holds
(hand-computed), that the tables carry the JSON's figures, that nothing is fetched and that
hostile names stay text. `test_html_browser.py` opens the same pages in Chromium.

The log (fixture catalog, newest version; per 1M tokens alpha-flash 1 in / 2 out, alpha-pro
4 in / 8 out before its promo of 2026-01-15):

- 2026-01-10 alpha-flash, ann: 1000 x 1 + 100 x 2 = 1200 -> 0.0012
- 2026-01-10 alpha-pro, bob: 1000 x 4 + 100 x 8 = 4800 -> 0.0048
- 2026-01-12 alpha-pro, ann: 2000 x 4 = 8000 -> 0.008

Cost per day by model: 01-10 pro 0.0048 + flash 0.0012, 01-11 nothing, 01-12 pro 0.008.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal as D
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmcost.cli.app import app
from llmcost.usage.bill import bill
from llmcost.usage.rollup import roll_up, with_days

PRICING = Path(__file__).resolve().parent / "fixtures" / "pricing"
BUDGETS = Path(__file__).resolve().parent / "fixtures" / "budgets"
RECORDS = [
    ("alpha-flash", "2026-01-10T08:00:00Z", 1000, 100, "ann"),
    ("alpha-pro", "2026-01-10T09:00:00Z", 1000, 100, "bob"),
    ("alpha-pro", "2026-01-12T10:00:00Z", 2000, 0, "ann"),
]
HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


def write_log(path: Path, records=RECORDS) -> Path:
    lines = [
        json.dumps({"model": m, "timestamp": t, "input": i, "output": o, "user": u})
        for m, t, i, o, u in records
    ]
    path.write_text("".join(line + "\n" for line in lines))
    return path


def run(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200", "NO_COLOR": "1"})


def html_of(*args: str, codes=(0, 1)) -> str:
    """The page on stdout (a bill with rejections exits 1, a budget over 1, an invalid one 2:
    the page is written all the same)."""
    result = run(*args, "--format", "html")
    assert result.exit_code in codes, result.stderr
    return result.stdout


def attrs(page: str, tag: str, cls: str, name: str) -> list[str]:
    """`name`'s value on every `<tag class="cls" ...>`, in order."""
    pattern = rf'<{tag} class="{cls}"[^>]*? {name}="([^"]*)"'
    return re.findall(pattern, page)


def self_contained(page: str) -> None:
    """Nothing to fetch or run: no script, stylesheet, image or frame tag, no attribute that
    loads (src, href) or runs (on...), no URL but SVG's namespace; a policy that forbids it."""
    lowered = page.lower()
    for tag in ("<script", "<link", "<img", "<iframe", "<object", "<embed", "@import", "url("):
        assert tag not in lowered, tag
    for tag in re.findall(r"<[a-z][^>]*>", lowered):
        names = re.sub(r'"[^"]*"', '""', tag)  # attribute names only: values are escaped
        assert not re.search(r"\s(?:src|href|xlink:href|on[a-z]+)=", names), tag
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) <= {"http://www.w3.org/2000/svg"}
    assert 'http-equiv="Content-Security-Policy" content="default-src &#x27;none&#x27;;' in page


# -- the roll-up behind bill's chart ---------------------------------------------------------------


@pytest.mark.parametrize("keys", [[], ["user"], ["model", "day"], ["month", "user"]])
def test_rolled_up_bill_is_the_bill_grouped_directly(tmp_path, fixture_catalog, keys):
    log = write_log(tmp_path / "u.jsonl")
    direct = bill(fixture_catalog, [log], group_by=keys)
    rolled = roll_up(bill(fixture_catalog, [log], group_by=with_days(keys)), keys)
    assert rolled.groups == direct.groups
    assert rolled.total == direct.total
    assert rolled.group_by == direct.group_by == tuple(keys)


def test_with_days_adds_the_day_and_the_series():
    assert with_days([]) == ("day", "model")
    assert with_days(["user"]) == ("user", "day")
    assert with_days(["month"]) == ("month", "day", "model")
    assert with_days(["day", "model"]) == ("day", "model")


# -- bill ---------------------------------------------------------------------------------------


def test_bill_cost_per_day_stacked_by_model(tmp_path):
    log = write_log(tmp_path / "u.jsonl")
    page = html_of("bill", str(log), "--catalog", str(PRICING))
    self_contained(page)
    assert re.search(r'data-chart="bill-daily" data-series="2" data-days="3"', page)
    assert attrs(page, "g", "series", "data-series") == ["alpha-pro", "alpha-flash"]
    assert attrs(page, "g", "series", "data-bars") == ["2", "1"]  # 01-11 has no bar
    bars = re.findall(r'<rect class="bar"[^>]*data-value="([^"]+)" data-category="([^"]+)"', page)
    assert bars == [("0.0048", "2026-01-10"), ("0.008", "2026-01-12"), ("0.0012", "2026-01-10")]
    assert sum(D(v) for v, _ in bars) == D("0.014")
    # the table: one row (no --group-by), the total exact in its cell, rounded in its text
    assert '<td class="num" data-value="0.014" title="0.014">$0.014</td>' in page


def test_bill_stacked_by_the_group_by_key_and_the_table_as_json(tmp_path):
    log = write_log(tmp_path / "u.jsonl")
    page = html_of("bill", str(log), "--catalog", str(PRICING), "-g", "user")
    assert "Cost per day (UTC) by user" in page
    assert attrs(page, "g", "series", "data-series") == ["ann", "bob"]
    assert attrs(page, "g", "series", "data-bars") == ["2", "1"]
    as_json = run("bill", str(log), "--catalog", str(PRICING), "-g", "user", "-f", "json")
    doc = json.loads(as_json.stdout)
    totals = [g["total"] for g in doc["groups"]]
    assert totals == ["0.0092", "0.0048"]
    for total in totals:  # each group's total, exact, in the page's table
        assert f'data-value="{total}" title="{total}"' in page


def test_bill_more_series_than_colours_lumps_the_smallest(tmp_path):
    """Eleven users, user n spending n x 1000 input tokens of alpha-flash ($0.001 each): the
    eight largest (11..4) keep a colour, users 1-3 are "other (3)", 0.001 x 6 = 0.006."""
    records = [("alpha-flash", "2026-01-10T08:00:00Z", n * 1000, 0, f"u{n:02d}")
               for n in range(1, 12)]  # fmt: skip
    page = html_of("bill", str(write_log(tmp_path / "u.jsonl", records)), "--catalog",
                   str(PRICING), "-g", "user")  # fmt: skip
    names = attrs(page, "g", "series", "data-series")
    assert names == [f"u{n:02d}" for n in range(11, 3, -1)] + ["other (3)"]
    assert re.findall(r'data-value="([^"]+)" data-category', page)[-1] == "0.006"


def test_bill_hostile_names_stay_text(tmp_path):
    log = write_log(tmp_path / f"{HOSTILE.replace('/', '_')}.jsonl",
                    [("alpha-flash", "2026-01-10T08:00:00Z", 1000, 100, HOSTILE)])  # fmt: skip
    page = html_of("bill", str(log), "--catalog", str(PRICING), "-g", "user")
    self_contained(page)  # no <script>, no <img>: both are in the user's field and file name
    shown = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"
    assert shown in page
    assert "onerror=alert(2)>" not in page


def test_bill_with_nothing_priced_still_a_page(tmp_path):
    log = tmp_path / "empty.jsonl"
    log.write_text("")
    page = html_of("bill", str(log), "--catalog", str(PRICING))
    assert 'data-series="0" data-days="0"' in page and "no priced records" in page


# -- simulate -----------------------------------------------------------------------------------


def test_simulate_the_mix_against_its_baselines():
    args = ["simulate", "--mix", "alpha-flash=50-70,beta-large=30-50", "--input", "1000",
            "--output", "100", "--requests", "1000", "--at", "2026-01-10",
            "--catalog", str(PRICING)]  # fmt: skip
    page = html_of(*args)
    self_contained(page)
    doc = json.loads(run(*args, "--format", "json").stdout)
    lows = attrs(page, "g", "span", "data-low")
    highs = re.findall(r'<g class="span"[^>]*data-high="([^"]*)"', page)
    assert attrs(page, "g", "span", "data-role") == ["mix", "baseline", "baseline"]
    assert lows[0] == doc["cost_min"] and highs[0] == doc["cost_max"]
    assert [b["cost_min"] for b in doc["baselines"]] == lows[1:]
    assert 'data-chart="simulate-mix" data-spans="3"' in page
    assert "all on alpha-flash" in page and "all on beta-large" in page


def test_simulate_a_sweep_adds_its_chart():
    page = html_of("simulate", "--mix", "alpha-flash=100", "--input", "1000", "--output", "100",
                   "--requests", "1000", "--at", "2026-01-10", "--sweep", "output=100:300:100",
                   "--catalog", str(PRICING))  # fmt: skip
    assert 'data-chart="simulate-sweep" data-spans="3"' in page
    # alpha-flash: 1000 requests x (1000 x 1 + n x 2) per 1M = 1 + 0.002 n
    # the mix and its baseline, then the sweep's three points
    assert attrs(page, "g", "span", "data-low") == ["1.2", "1.2", "1.2", "1.4", "1.6"]


# -- budget check -------------------------------------------------------------------------------


def test_budget_use_with_the_look_ahead(tmp_path):
    hostile = tmp_path / "hostile.toml"
    hostile.write_text((BUDGETS / "ok.toml").read_text().replace('"flash-ok"', f"'{HOSTILE}'"))
    files = [str(BUDGETS / "ok.toml"), str(BUDGETS / "over.toml"), str(hostile)]
    page = html_of("budget", "check", *files, "--at", "2026-01-10", "--catalog", str(PRICING))
    self_contained(page)
    doc = json.loads(run("budget", "check", *files, "--at", "2026-01-10", "--catalog",
                         str(PRICING), "-f", "json").stdout)  # fmt: skip
    assert attrs(page, "g", "gauge", "data-status") == [b["status"] for b in doc["budgets"]]
    assert attrs(page, "g", "gauge", "data-status") == ["ok", "over", "ok"]
    costs = re.findall(r'<rect class="bar"[^>]*data-value="([^"]+)"', page)
    assert costs == [b["cost"] for b in doc["budgets"]]
    assert "&lt;script&gt;" in page and "<script" not in page


def test_budget_look_ahead_marks(tmp_path):
    """alpha-flash's peak window starts 2026-03-01 (published 2026-02-20): a look-ahead from
    2026-02-21 sees it, one mark on the row."""
    page = html_of("budget", "check", str(BUDGETS / "ok.toml"), "--at", "2026-02-21",
                   "--catalog", str(PRICING))  # fmt: skip
    doc = json.loads(run("budget", "check", str(BUDGETS / "ok.toml"), "--at", "2026-02-21",
                         "--catalog", str(PRICING), "-f", "json").stdout)  # fmt: skip
    ahead = [a for a in doc["budgets"][0]["lookahead"] if a["cost"] is not None]
    assert ahead, "the fixture's peak window should be in the look-ahead"
    assert attrs(page, "g", "gauge", "data-marks") == [str(len(ahead))]
    marks = re.findall(r'<path class="mark"[^>]*data-value="([^"]+)"', page)
    assert marks == [a["cost"] for a in ahead]


# -- hostile names and points without a cost ---------------------------------------------------

RLO = "\u202e"


def shown_outside_isolates(page: str) -> str:
    """The page without its `<bdi>`s, its isolated texts and its (never shown) data attributes."""
    return re.sub(r'<bdi[^>]*>[^<]*</bdi>|\u2068[^\u2069]*\u2069| data-[a-z-]+="[^"]*"', "", page)


def test_a_right_to_left_override_in_a_name_is_isolated(tmp_path):
    """U+202E in a budget's name, unterminated, would reverse llmcost's text after it
    (`$0.00248` shown as `84200.0$`): every user text is closed by a `<bdi>` or an isolate
    (U+2068 ... U+2069), in the table, the chart's labels and its tooltips."""
    hostile = tmp_path / "rlo.toml"
    hostile.write_text((BUDGETS / "ok.toml").read_text().replace('"flash-ok"', f'"x{RLO}y"'))
    page = html_of("budget", "check", str(hostile), "--at", "2026-01-10", "--catalog", str(PRICING))
    assert f"<td><bdi>x{RLO}y</bdi></td>" in page  # the table's cell
    assert f'text-anchor="end">\u2068x{RLO}y\u2069</text>' in page  # the gauge's label
    assert f"<title>\u2068x{RLO}y\u2069: $" in page  # the bar's tooltip
    assert RLO not in shown_outside_isolates(page)


def test_a_user_name_in_the_legend_is_isolated(tmp_path):
    log = write_log(tmp_path / "u.jsonl", [("alpha-flash", "2026-01-10T08:00:00Z", 10, 1, RLO)])
    page = html_of("bill", str(log), "--catalog", str(PRICING), "-g", "user")
    assert f"</span><bdi>{RLO}</bdi></li>" in page
    assert RLO not in shown_outside_isolates(page)


def test_a_long_name_is_cut_to_a_width_with_the_whole_in_its_tooltip(tmp_path):
    name = "u" * 5000
    log = write_log(tmp_path / "u.jsonl", [("alpha-flash", "2026-01-10T08:00:00Z", 10, 1, name)])
    page = html_of("bill", str(log), "--catalog", str(PRICING), "-g", "user")
    cut = f'<bdi class="cut" title="\u2068{name}\u2069">{name}</bdi>'
    assert page.count(cut) == 2  # the legend's entry and the table's cell


def test_control_characters_in_a_name_are_replaced_visibly(tmp_path):
    """NUL and the other C0/C1 controls HTML forbids; tab, LF, CR and FF are allowed."""
    name = "a\x00b\x01c\x1bd\x7fe\x85f"
    log = write_log(tmp_path / "u.jsonl", [("alpha-flash", "2026-01-10T08:00:00Z", 10, 1, name)])
    page = html_of("bill", str(log), "--catalog", str(PRICING), "-g", "user")
    assert "a\ufffdb\ufffdc\ufffdd\ufffde\ufffdf" in page
    assert not re.search("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]", page)


def test_a_key_given_twice_is_one_series_key(tmp_path):
    """`-g model,model`: the table has one model column; the chart's series are "alpha-pro",
    not "alpha-pro / alpha-pro"."""
    log = write_log(tmp_path / "u.jsonl")
    page = html_of("bill", str(log), "--catalog", str(PRICING), "-g", "model,model")
    assert attrs(page, "g", "series", "data-series") == ["alpha-pro", "alpha-flash"]
    assert "Cost per day (UTC) by model<" in page


def test_a_sweep_point_no_split_admits_has_no_bar_and_no_cost():
    """alpha-flash 50-70 % and beta-large 30-50 %, alpha-flash's share swept 10, 50, 90: at 10
    beta-large would need 90 % and at 90, 10 %; only 50 (beta-large 50) is priced."""
    page = html_of("simulate", "--mix", "alpha-flash=50-70,beta-large=30-50", "--input", "1000",
                   "--output", "100", "--requests", "1000", "--at", "2026-01-10",
                   "--sweep", "share:alpha-flash=10:90:40", "--catalog", str(PRICING))  # fmt: skip
    sweep = page[page.index('data-chart="simulate-sweep"') :]
    assert attrs(sweep, "g", "span", "data-low")[0::2] == ["", ""]
    groups = re.findall(r'<g class="span".*?</g>', sweep)
    assert len(groups) == 3
    for g in groups[0::2]:
        assert "<rect" not in g and ">no cost; " in g and "$0.00" not in g
    assert groups[1].count('<rect class="bar"') == 1
