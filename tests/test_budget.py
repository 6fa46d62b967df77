"""Budgets as code on the fixture catalog: every status and exit code, the look-ahead, drift,
bad files (exit 2, file:line: field), the output formats against golden files, round trips.

Fixture budgets (tests/fixtures/budgets/) price 1,000 requests of 2,000 prompt tokens (1,000
cached) and 500 output: alpha-flash $2.10 (1M x $1 + 1M x $0.1 + 0.5M x $2); alpha-pro on
its promo $3.00 (no cache-read rate: 2M x $1 + 0.5M x $2), on list after it $6.00.
"""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from llmcost.budget.check import check_budget, check_files
from llmcost.budget.results import BudgetChecked, BudgetFailed
from llmcost.budget.schema import BudgetFile, WorkloadTable, dump_budget, load_budget
from llmcost.cli.app import app
from llmcost.timeparse import instant
from tests.conftest import FIXTURE_PRICING

HERE = Path(__file__).resolve().parent
BUDGETS = HERE / "fixtures" / "budgets"
GOLDEN = HERE / "golden" / "budget"
CAT = ["--catalog", str(FIXTURE_PRICING)]
AT = ["--at", "2026-01-20"]
GOOD = ["ok.toml", "warn.toml", "over.toml", "promo-day.toml", "retired.toml", "mix.toml"]
runner = CliRunner()


@pytest.fixture(autouse=True)
def _in_budgets(monkeypatch):
    monkeypatch.chdir(BUDGETS)  # file names in reports stay short and stable
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


def run(*args: str, env: dict | None = None):
    return runner.invoke(app, list(args), env={"NO_COLOR": "1", "COLUMNS": "200", **(env or {})})


def check_json(*files: str, extra=()):
    result = run("budget", "check", *files, *AT, *CAT, *extra, "--format", "json")
    return result, json.loads(result.stdout)


# -- statuses and exit codes ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "status", "cost", "code"),
    [
        ("ok.toml", "ok", "2.1", 0),
        ("warn.toml", "warn", "2.1", 0),
        ("over.toml", "over", "2.1", 1),
        ("mix.toml", "ok", "15.66", 0),  # the maximum: 60% x 2.1 + 40% x 36
        ("unknown-model.toml", "error", None, 2),
    ],
)
def test_each_status_and_its_exit_code(file, status, cost, code):
    result, doc = check_json(file)
    assert result.exit_code == code, result.stderr
    budget = doc["budgets"][0]
    assert (budget["status"], budget["cost"]) == (status, cost)
    assert doc["exit_code"] == code


def test_mix_budget_reports_both_bounds():
    _, doc = check_json("mix.toml")
    part = doc["budgets"][0]["workloads"][0]
    assert (part["cost_min"], part["cost_max"]) == ("12.27", "15.66")  # 70/30 and 60/40
    assert part["model"] == "alpha-flash+beta-large"


def test_one_bad_file_does_not_hide_the_others():
    result, doc = check_json("over.toml", "unknown-key.toml", "ok.toml")
    assert result.exit_code == 2  # fails closed: an error outranks an over
    assert [b["status"] for b in doc["budgets"]] == ["over", "error", "ok"]
    assert "unknown-key.toml:10: workloads[0].outptu: unknown key" in result.stderr


def test_all_ok_or_warn_exits_zero():
    result, _ = check_json("ok.toml", "warn.toml")
    assert result.exit_code == 0


# -- look-ahead -------------------------------------------------------------------------------


def test_look_ahead_across_the_promo_end_warns_and_strict_fails():
    result, doc = check_json("promo-day.toml")
    budget = doc["budgets"][0]
    assert result.exit_code == 0
    assert (budget["status"], budget["cost"]) == ("warn", "3")
    ahead = budget["lookahead"][0]
    assert ahead["at"] == "2026-02-01T12:00:00Z"
    assert ahead["changes"] == ["alpha-pro: promo ends, list price"]
    assert (ahead["cost"], ahead["status"]) == ("6", "over")
    result, doc = check_json("promo-day.toml", extra=["--strict"])
    assert result.exit_code == 1 and doc["budgets"][0]["status"] == "over"


PEAK_DAY = """name = "daily"
limit = 2.2
period = "day"

[[workloads]]
model = "alpha-flash"
requests_per_day = 1000
input = 1000
output = 500
"""


@pytest.mark.parametrize("sunday", ["2026-03-08", "2026-02-27"])
def test_a_day_budget_looks_ahead_at_the_weekdays_with_peak_hours(tmp_path, sunday):
    # alpha-flash from 2026-03-01: peak 01:00-04:00 Mon-Fri at double rates. A day of 1000
    # requests (1M input, 0.5M output): off-peak 1 + 1 = $2.00; on a weekday 21h off-peak and
    # 3h peak: 2 x 21/24 + 4 x 3/24 = $2.25, over the $2.20 limit. Checked on Sunday 2026-03-08
    # (and on Friday 2026-02-27, before the peak pricing starts), Monday must be a warning.
    (tmp_path / "daily.toml").write_text(PEAK_DAY)
    result = runner.invoke(
        app,
        ["budget", "check", str(tmp_path / "daily.toml"), "--at", sunday, *CAT, "-f", "json"],
    )
    assert result.exit_code == 0, result.stderr
    budget = json.loads(result.stdout)["budgets"][0]
    assert (budget["status"], budget["cost"]) == ("warn", "2")
    monday = [a for a in budget["lookahead"] if a["status"] == "over"]
    assert monday[0]["at"] in ("2026-03-09T00:00:00Z", "2026-03-02T00:00:00Z")
    assert monday[0]["cost"] == "2.25"
    assert "Monday" in monday[0]["changes"][0]
    strict = runner.invoke(
        app, ["budget", "check", str(tmp_path / "daily.toml"), "--at", sunday, *CAT, "--strict"]
    )
    assert strict.exit_code == 1


def test_a_day_budget_with_no_dearer_day_ahead_stays_ok(tmp_path):
    (tmp_path / "daily.toml").write_text(PEAK_DAY.replace("limit = 2.2", "limit = 3"))
    result = runner.invoke(
        app,
        ["budget", "check", str(tmp_path / "daily.toml"), "--at", "2026-03-08", *CAT, "-f", "json"],
    )
    assert json.loads(result.stdout)["budgets"][0]["status"] == "ok"


def test_no_look_ahead_with_horizon_zero_or_beyond_it():
    _, doc = check_json("promo-day.toml", extra=["--horizon", "0"])
    assert doc["budgets"][0]["status"] == "ok" and doc["budgets"][0]["lookahead"] == []
    _, doc = check_json("promo-day.toml", extra=["--horizon", "5"])  # the end is 12.5 days out
    assert doc["budgets"][0]["status"] == "ok"


def test_look_ahead_to_a_retirement_names_the_successor():
    result, doc = check_json("retired.toml")
    ahead = doc["budgets"][0]["lookahead"][0]
    assert ahead["changes"] == ["alpha-old: retired (successor alpha-flash)"]
    assert ahead["status"] == "error" and "successor 'alpha-flash'" in ahead["error"]
    assert doc["budgets"][0]["status"] == "warn" and result.exit_code == 0


def test_retired_at_the_priced_instant_is_an_error_naming_the_successor():
    result = run("budget", "check", "retired.toml", "--at", "2026-02-10", *CAT)
    assert result.exit_code == 2
    assert "retired.toml:5: workloads[0].model: alpha-old was retired" in result.stderr
    assert "use its successor 'alpha-flash'" in result.stderr


def test_a_day_budget_over_a_month_counts_its_most_expensive_day(fixture_catalog):
    budget = load_budget(BUDGETS / "promo-day.toml")
    start, end = instant("2026-02-01"), instant("2026-03-01")
    result = check_budget(fixture_catalog, budget, at=start, until=end, horizon_days=0)
    # 02-01: 12h promo and 12h list = 4.5; every later day is list, 6
    assert result.cost == Decimal(6) and result.status == "over"
    assert result.start == instant("2026-02-02")


def test_a_result_is_whole_priced_or_failed(fixture_catalog):
    """A priced budget has every figure; a failed one has its error, and its Budget when the
    file could be read (the report still shows its name and limit), none when it could not."""
    files = sorted(p.name for p in BUDGETS.glob("*.toml"))
    results = check_files(fixture_catalog, files, at=instant("2026-01-20"))
    by_file = {r.file: r for r in results}
    assert {f for f, r in by_file.items() if isinstance(r, BudgetChecked)} == set(GOOD)
    for file in GOOD:
        r = by_file[file]
        assert None not in (r.cost, r.cost_min, r.share, r.start, r.end, r.version)
        assert r.drift is None and r.name == r.budget.name  # none of them is pinned
    for file in ("bad-toml.toml", "negative-limit.toml", "unknown-key.toml"):
        assert isinstance(by_file[file], BudgetFailed) and by_file[file].budget is None
    failed = by_file["unknown-model.toml"]  # read, but not priced
    assert failed.status == "error" and failed.name == "who" and failed.budget.limit == 5
    assert failed.line == 12 and "unknown model 'alpha-flsh'" in failed.error


# -- pinned versions and drift ----------------------------------------------------------------


def test_pinned_budget_uses_its_version_and_reports_drift(tmp_path, fixture_catalog):
    text = (
        (BUDGETS / "promo-day.toml")
        .read_text()
        .replace('period = "day"', 'period = "day"\ncatalog = 2026-01-05')
    )
    path = tmp_path / "pinned.toml"
    path.write_text(text)
    result = check_budget(fixture_catalog, load_budget(path), at=instant("2026-01-20"))
    # as known 2026-01-05 there was no promo: list 4/8, hits as input: 2M x 4 + 0.5M x 8 = 12
    assert result.cost == Decimal(12) and result.status == "over" and result.pinned
    assert str(result.version) == "2026-01-01"
    assert result.drift.cost == Decimal(3) and result.drift.status == "ok"
    assert str(result.drift.version) == "2026-02-20"


# -- bad files: exit 2, file:line: field ------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "needle"),
    [
        ("bad-toml.toml", "bad-toml.toml:1: invalid TOML"),
        ("unknown-key.toml", "unknown-key.toml:10: workloads[0].outptu: unknown key"),
        ("negative-limit.toml", "negative-limit.toml:2: limit: Input should be greater than 0"),
        ("unknown-model.toml", "unknown-model.toml:12: workloads[1].model: unknown model"),
        ("impossible-mix.toml", "impossible-mix.toml:4: workloads[0].slices: the shares cannot"),
        ("pinned-too-early.toml", "pinned-too-early.toml:3: catalog: no catalog version"),
        ("missing.toml", "missing.toml: no such file"),
    ],
)
def test_bad_budget_files_exit_2_naming_file_line_and_field(file, needle):
    for command in (["check", *AT], ["validate"]):
        result = run("budget", *command, file, *CAT)
        assert result.exit_code == 2, result.stdout
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and needle in lines[0], result.stderr
        assert "Traceback" not in result.stderr


def test_unknown_model_suggests_the_closest():
    result = run("budget", "validate", "unknown-model.toml", *CAT)
    assert "did you mean 'alpha-flash'" in result.stderr


def test_validate_passes_good_files():
    result = run("budget", "validate", *GOOD, *CAT)
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize(
    ("extra_top", "extra_workload", "needle"),
    [
        ('currency = "CNY"\n', "", "alpha-pro has no CNY price at all"),
        ("", "batch = true\n", "alpha-pro has no batch price"),
    ],
)
def test_validate_catches_what_check_could_never_price(tmp_path, extra_top, extra_workload, needle):
    path = tmp_path / "b.toml"
    workload = f"requests_per_month = 10\ninput = 1\noutput = 1\n{extra_workload}"
    path.write_text(f'name = "b"\nlimit = 5\n{extra_top}\n[[workloads]]\nmodel = "alpha-pro"\n'
                    + workload)  # fmt: skip
    result = run("budget", "validate", str(path), *CAT)
    assert result.exit_code == 2
    assert needle in result.stderr and "b.toml:" in result.stderr


def test_bad_options_are_one_line_errors():
    for args in (["--format", "csv"], ["--horizon", "-1"], ["--horizon", "999999999"],
                 ["--at", "x"]):  # fmt: skip
        result = run("budget", "check", "ok.toml", *CAT, *args)
        assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1


# -- formats against golden files -------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["table", "json", "markdown", "github", "junit"])
def test_format_golden(fmt):
    result = run("budget", "check", *GOOD, "unknown-key.toml", *AT, *CAT, "--format", fmt)
    assert result.exit_code == 2
    golden = GOLDEN / f"check.{fmt}"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(result.stdout)
    assert result.stdout == golden.read_text()


def test_junit_is_xml_with_failures_and_errors():
    result = run("budget", "check", *GOOD, "unknown-key.toml", *AT, *CAT, "--format", "junit")
    suite = ET.fromstring(result.stdout).find("testsuite")
    assert suite.get("tests") == "7" and suite.get("failures") == "1"
    assert suite.get("errors") == "1"


JUNIT_XSD = HERE / "fixtures" / "junit" / "junit-10.xsd"


@pytest.mark.parametrize(
    "files", [[*GOOD, "unknown-key.toml"], ["over.toml"], ["missing.toml"]], ids=str
)
def test_junit_validates_against_the_common_junit_schema(files):
    import xmlschema

    result = run("budget", "check", *files, *AT, *CAT, "--format", "junit")
    xmlschema.XMLSchema(JUNIT_XSD).validate(result.stdout)


def test_github_writes_the_step_summary(tmp_path):
    summary = tmp_path / "summary.md"
    env = {"GITHUB_STEP_SUMMARY": str(summary)}
    result = run("budget", "check", "over.toml", *AT, *CAT, "--format", "github", env=env)
    assert result.exit_code == 1
    assert result.stdout.startswith("::error file=over.toml,line=2,title=budget flash-over over")
    assert "| OVER | flash-over |" in summary.read_text()


# -- schema, init, save, diff -----------------------------------------------------------------


def test_schema_is_json_schema_forbidding_unknown_keys():
    doc = json.loads(run("budget", "schema").stdout)
    assert doc["additionalProperties"] is False
    assert {"name", "limit", "workloads"} <= set(doc["required"])


def test_init_writes_a_valid_starter_and_never_overwrites(tmp_path):
    path = tmp_path / "b.toml"
    assert run("budget", "init", str(path)).exit_code == 0
    assert run("budget", "validate", str(path)).exit_code == 0
    again = run("budget", "init", str(path))
    assert again.exit_code == 2 and "already exists" in again.stderr


def test_compare_and_simulate_save_budgets_that_check(tmp_path):
    one = tmp_path / "one.toml"
    args = ["--input", "2k", "--cached", "1000", "--output", "500", "--requests", "1000"]
    result = run("compare", "alpha-flash", *args, *AT, *CAT, "--save-budget", str(one),
                 "--limit", "3")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    _, doc = check_json(str(one))
    assert (doc["budgets"][0]["cost"], doc["budgets"][0]["status"]) == ("2.1", "ok")
    two = tmp_path / "two.toml"
    result = run("simulate", "--mix", "alpha-flash=60-70,beta-large=30-40", *args, *AT, *CAT,
                 "--save-budget", str(two), "--limit", "20")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    _, doc = check_json(str(two))
    assert doc["budgets"][0]["cost"] == "15.66"
    bad = run("compare", "alpha-flash", "beta-large", *args, *AT, *CAT, "--save-budget",
              str(tmp_path / "x.toml"), "--limit", "3")  # fmt: skip
    assert bad.exit_code == 2 and "exactly one model" in bad.stderr
    bad = run("compare", "alpha-flash", *args, *AT, *CAT, "--save-budget", str(one))
    assert bad.exit_code == 2 and "--limit" in bad.stderr


def test_a_budget_saved_from_a_catalog_path_is_unpinned_and_says_how_to_check_it(tmp_path):
    """A budget file names no catalog path, and its pin would send it to the shipped catalog
    (a QA find: --catalog PATH@DAY kept only the day)."""
    path = tmp_path / "b.toml"
    pinned = f"{CAT[1]}@2026-02-01"
    flags = ["--input", "1k", "--output", "10", "--at", "2026-02-01", "--catalog", pinned]
    result = run("compare", "alpha-flash", *flags, "--save-budget", str(path), "--limit", "3")
    assert result.exit_code == 0, result.stderr
    assert "catalog" not in path.read_text()
    assert f"check it with 'llmcost budget check {path} --catalog {pinned}'" in result.stderr


def test_junit_stays_xml_when_a_name_holds_a_control_character(tmp_path):
    odd = tmp_path / "odd.toml"
    odd.write_text((BUDGETS / "ok.toml").read_text().replace("flash-ok", "flash\\u0001ok"))
    result = run("budget", "check", str(odd), *AT, *CAT, "--format", "junit")
    case = ET.fromstring(result.stdout).find("testsuite/testcase")
    assert case.get("name") == "flash\ufffdok"


def test_an_error_in_a_mix_file_points_at_the_budget_line(tmp_path):
    (tmp_path / "bad-mix.toml").write_text(
        "[[slices]]\nmodel = 'alpha-flash'\nshare = 100\ncolour = 1\n"
    )
    budget = tmp_path / "b.toml"
    budget.write_text('name = "b"\nlimit = 5\n\n[[workloads]]\nmix_file = "bad-mix.toml"\n'
                      "requests_per_month = 10\ninput = 1\noutput = 1\n")  # fmt: skip
    result, doc = check_json(str(budget))
    assert result.exit_code == 2
    (entry,) = doc["budgets"]
    assert entry["line"] == 5  # the budget's mix_file line, not the mix file's line 4
    assert "workloads[0].mix_file" in entry["error"] and "bad-mix.toml:4" in entry["error"]


def test_catalog_diff_fails_closed_on_a_budget_it_cannot_price():
    result = run("catalog", "diff", "2026-01-05", "2026-01-10", "--budget", "unknown-model.toml",
                 "--budget", "ok.toml", *AT, *CAT)  # fmt: skip
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "could not be priced" in result.stderr
    assert "ok.toml" in result.stdout  # the others are still shown


def test_catalog_diff_moves_each_budget():
    result = run("catalog", "diff", "2026-01-05", "2026-01-10", "--budget", "promo-day.toml",
                 *AT, *CAT, "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    moved = json.loads(result.stdout)["budgets"][0]
    assert (moved["old_cost"], moved["new_cost"], moved["change"]) == ("12", "3", "-9")
    assert (moved["old_status"], moved["new_status"]) == ("over", "ok")


# -- round trip -------------------------------------------------------------------------------

_amount = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(10**9), places=4)
_count = st.decimals(min_value=0, max_value=Decimal(10**7), places=2)


@st.composite
def budgets(draw):
    slices = None
    model = None
    if draw(st.booleans()):
        share = draw(st.integers(0, 100))
        slices = [
            {"model": "alpha-flash", "share": Decimal(share)},
            {"model": "beta-large", "share_min": Decimal(100 - share), "share_max": Decimal(100)},
        ]
    else:
        model = draw(st.sampled_from(["alpha-flash", "beta-large", "Alpha.Pro"]))
    period = draw(st.sampled_from(["month", "day"]))
    per = "requests_per_day" if period == "day" or draw(st.booleans()) else "requests_per_month"
    workload = WorkloadTable(
        model=model,
        slices=slices,
        input=draw(_count),
        output=draw(_count),
        cache_hit_rate=draw(st.none() | st.decimals(0, 1, places=3)),
        batch=draw(st.booleans()),
        name=draw(st.none() | st.text("abc -", min_size=1, max_size=8)),
        **{per: draw(_count)},
    )
    return BudgetFile(
        name=draw(st.text(min_size=1, max_size=20).filter(lambda s: "\x00" not in s)),
        limit=draw(_amount),
        currency=draw(st.sampled_from(["USD", "CNY"])),
        period=period,
        warn_at=draw(st.decimals(Decimal("0.01"), 1, places=2)),
        catalog=draw(st.none() | st.dates()),
        workloads=[workload],
    )


@settings(max_examples=60, deadline=None)
@given(budgets())
def test_a_budget_written_by_llmcost_loads_back_equal(tmp_path_factory, budget):
    path = tmp_path_factory.mktemp("rt") / "b.toml"
    path.write_text(dump_budget(budget), encoding="utf-8")
    from llmcost.budget.schema import read_budget_file

    assert read_budget_file(path)[0] == budget


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        ("limit = ", 'limit = "1000" #', "limit: '1000' is not a number: write it without quotes"),
        ("input = ", "input = true #", "input: True is not a number"),
    ],
)
def test_quoted_numbers_and_flags_are_refused_not_converted(tmp_path, old, new, needle):
    """`limit = "1000"` and `batch = "yes"` were converted silently (a QA find)."""
    text = (BUDGETS / "promo-day.toml").read_text()
    assert old in text
    path = tmp_path / "quoted.toml"
    path.write_text(text.replace(old, new, 1))
    result = run("budget", "validate", str(path), *CAT)
    assert result.exit_code == 2 and needle in result.stderr, result.stderr
    path.write_text(text + '\n[[workloads]]\nname = "b"\nmodel = "alpha-flash"\n'
                    'requests_per_day = 1\ninput = 1\noutput = 1\nbatch = "yes"\n')  # fmt: skip
    result = run("budget", "validate", str(path), *CAT)
    assert result.exit_code == 2 and "batch: Input should be a valid boolean" in result.stderr
