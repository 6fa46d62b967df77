"""Odd values in every command's arguments: an answer or exit 2 with `llmcost: error:` lines,
never an internal error (exit 3) or a traceback: random values through hypothesis, and the
values that once crashed a command (a NUL byte in a path, a save path with no file name, a
look-ahead past the year 9999)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from llmcost.cli.app import app
from tests.conftest import FIXTURE_PRICING

CAT = str(FIXTURE_PRICING)
BUDGET = str(FIXTURE_PRICING.parent / "budgets" / "promo-day.toml")
ODD = [
    "", " ", "-1", "1e400", "NaN", "inf", "0x10", "1__0", "99999999999999999999", "é", "\x00",
    "2026-02-30", "0001-01-01", "9999-12-31", "9999-12-31T24:00", "2026-05-01T24:00", "9999-12",
    "now", "alpha-flash=50-", "a=1,a=1", "input=1:2:0", "/", ".", "/dev/zero", "/nonexistent/x",
    CAT, f"{CAT}@0001-01-01", "USD", "XXX", "json", "junit", "3650",
]  # fmt: skip
COMMANDS = {
    "compare": (["compare", "-i", "1000", "-o", "100", "--catalog", CAT],
                ["--at", "--month", "--baseline", "--cache-hit-rate", "-n", "--currency",
                 "--save-budget", "--limit", "--format"]),
    "simulate": (["simulate", "--mix", "alpha-flash=60-70,beta-large=30-40", "-i", "1000", "-o",
                  "100", "--catalog", CAT],
                 ["--at", "--month", "--baseline", "--sweep", "--save-mix", "-n", "--format"]),
    "prices": (["prices", "--catalog", CAT], ["--at", "--currency", "--format"]),
    "budget check": (["budget", "check", BUDGET, "--catalog", CAT],
                     ["--at", "--month", "--horizon", "--format"]),
    "budget validate": (["budget", "validate", BUDGET, "--catalog", CAT], ["--format"]),
    "budget init": (["budget", "init"], ["--format"]),
    "catalog diff": (["catalog", "diff", "2026-01-01", "2026-02-20", "--catalog", CAT],
                     ["--budget", "--at", "--month", "--format"]),
    "catalog versions": (["catalog", "versions"], ["--catalog", "--format"]),
}  # fmt: skip


def check(args: list[str]) -> None:
    result = CliRunner().invoke(app, args, env={"NO_COLOR": "1"})
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, args
    # (typer's own usage errors, e.g. --horizon "", are worded by `main`, not under CliRunner)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    command=st.sampled_from(sorted(COMMANDS)),
    picks=st.lists(st.tuples(st.integers(0, 20), st.sampled_from(ODD)), min_size=1, max_size=3),
)
def test_odd_values_are_never_an_internal_error(tmp_path_factory, command, picks):
    base, options = COMMANDS[command]
    args = list(base)
    for index, value in picks:
        args += [options[index % len(options)], value]
    if command == "budget init":
        args = ["budget", "init", picks[0][1], "--force"]
    folder = tmp_path_factory.mktemp("fuzz")
    import os

    here = os.getcwd()
    os.chdir(folder)  # whatever --save-* writes lands here
    try:
        check(args)
    finally:
        os.chdir(here)


def test_values_that_once_crashed_a_command(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    check(["catalog", "validate", "\x00"])
    check(["catalog", "versions", "--catalog", "\x00"])
    for target in (".", "/"):
        check(["compare", "alpha-flash", "-i", "1", "-o", "1", "--at", "2026-01-20", "--catalog",
               CAT, "--save-budget", target, "--limit", "5", "--force"])  # fmt: skip
    check(["budget", "check", BUDGET, "--catalog", CAT, "--at", "9999-12-20", "--horizon", "3650"])
