"""Instants as every command reads them: one grammar (`timeparse.instant`), `T24:00` the next
day's midnight everywhere, and far instants (year 1, 9999-12-31T23:59) an answer or exit 2,
never a crash."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from typer.testing import CliRunner

from llmcost.cli.app import app
from llmcost.errors import InputError
from llmcost.timeparse import instant, show_instant
from tests.conftest import FIXTURE_PRICING

CAT = ["--catalog", str(FIXTURE_PRICING)]
BUDGETS = FIXTURE_PRICING.parent / "budgets"
W = ["-i", "1000", "-o", "100"]


def run(*args: str):
    return CliRunner().invoke(app, list(args), env={"NO_COLOR": "1", "COLUMNS": "200"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-05-01T24:00", datetime(2026, 5, 2, tzinfo=UTC)),
        ("2026-05-01T24:00:00Z", datetime(2026, 5, 2, tzinfo=UTC)),
        ("2026-05-01T24:00:00.000Z", datetime(2026, 5, 2, tzinfo=UTC)),
        ("2026-05-01T24:00+08:00", datetime(2026, 5, 1, 16, tzinfo=UTC)),
        ("2026-12-31T24:00", datetime(2027, 1, 1, tzinfo=UTC)),
    ],
)
def test_24_00_is_the_next_days_midnight(text, expected):
    assert instant(text) == expected


@pytest.mark.parametrize("text", ["2026-05-01T24:01", "2026-05-01T24:00:01", "2026-05-01T25:00"])
def test_past_24_00_is_refused(text):
    with pytest.raises(InputError, match="not a date or an ISO 8601 instant"):
        instant(text)


def test_at_24_00_prices_as_the_next_midnight_on_the_command_line():
    # alpha-pro: launch list 4/8 until the promo from 2026-01-15 00:00 (1/2)
    late = run("compare", "alpha-pro", *W, "--at", "2026-01-14T24:00", *CAT, "-f", "json")
    midnight = run("compare", "alpha-pro", *W, "--at", "2026-01-15", *CAT, "-f", "json")
    assert late.exit_code == 0, late.stderr
    assert late.stdout == midnight.stdout


def test_year_one_is_shown_with_four_digits():
    assert show_instant(datetime(1, 1, 1, tzinfo=UTC)) == "0001-01-01 00:00 UTC"


@pytest.mark.parametrize(
    "args",
    [
        ["budget", "check", str(BUDGETS / "ok.toml"), "--at", "9999-12-31T23:59", *CAT],
        ["budget", "check", str(BUDGETS / "promo-day.toml"), "--at", "9999-12-31T23:59", *CAT],
        ["budget", "check", str(BUDGETS / "ok.toml"), "--at", "9999-12-15", *CAT],
        ["budget", "check", str(BUDGETS / "ok.toml"), "--at", "0001-01-01", *CAT],
        ["budget", "check", str(BUDGETS / "ok.toml"), "--month", "9999-12", *CAT],
        ["catalog", "diff", "2026-01-01", "2026-02-20", "--budget", str(BUDGETS / "ok.toml"),
         "--at", "9999-12-31T23:59", "--catalog", str(FIXTURE_PRICING)],
        ["compare", *W, "--month", "9999-12", *CAT],
        ["compare", *W, "--at", "9999-12-31T24:00", *CAT],
        ["simulate", "--mix", "alpha-flash=100", *W, "--at", "0001-01-01", *CAT],
        ["prices", "alpha-flash", "--at", "0001-01-01T00:00+01:00", *CAT],
    ],
)  # fmt: skip
def test_far_instants_are_exit_2_with_one_line_not_a_crash(args):
    result = run(*args)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert all(line.startswith("llmcost: error: ") for line in result.stderr.splitlines())


def test_a_day_budget_days_before_the_end_of_time_looks_ahead_without_a_crash():
    # the week ahead of 9999-12-28 runs into 9999-12-31, whose end cannot be written down
    result = run("budget", "check", str(BUDGETS / "promo-day.toml"), "--at", "9999-12-28", *CAT)
    assert result.exit_code == 1, result.stderr  # over: alpha-pro's list price, $6 a day
    assert "internal error" not in result.stderr


def test_a_month_budget_in_the_last_month_there_is_says_why():
    result = run("budget", "check", str(BUDGETS / "ok.toml"), "--at", "9999-12-31T23:59", *CAT)
    assert "ends after the year 9999" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["compare", *W, "--at", "9999-12-31T23:59:59.999999", *CAT],
        ["prices", "--at", "9999-12-31T23:59", *CAT],
        ["simulate", "--mix", "alpha-flash=100", *W, "--month", "9999-11", *CAT],
    ],
)
def test_far_instants_that_can_be_priced_are(args):
    result = run(*args)
    assert result.exit_code == 0, result.stderr


def test_instant_takes_what_the_python_api_passes():
    assert instant(date(2026, 5, 1)) == datetime(2026, 5, 1, tzinfo=UTC)
    assert instant(datetime(2026, 5, 1, 8)) == datetime(2026, 5, 1, 8, tzinfo=UTC)
    for odd in (None, 20260501, b"2026-05-01"):
        with pytest.raises(InputError):
            instant(odd)


def test_bill_reads_24_00_in_a_record_as_its_since_and_until_do(tmp_path):
    # a record stamped 2026-05-01T24:00 is 2026-05-02 00:00: inside [2026-05-01T24:00,
    # 2026-05-02T00:00:00.000001), a range of one microsecond
    log = tmp_path / "u.jsonl"
    log.write_text(
        '{"timestamp": "2026-05-01T24:00:00Z", "model": "alpha-flash",'
        ' "usage": {"prompt_tokens": 10, "completion_tokens": 5}}\n'
    )
    import json

    def priced(*flags: str) -> int:
        result = run("bill", str(log), *flags, *CAT, "--format", "json")
        return json.loads(result.stdout)["priced"]

    assert priced("--since", "2026-05-01T24:00") == 1
    assert priced("--since", "2026-05-01T24:00", "--until", "2026-05-02T00:00:00.000001") == 1
