"""Workloads a model cannot take: a prompt over its context window or an output over its
maximum is refused, never priced as if it fitted (`engine.check_fits`, applied by every command).

On the fixture catalog alpha-old has a 100,000-token context window and 10,000 maximum output;
the other models 1,000,000 and 100,000.
"""

from __future__ import annotations

import json

from typer.testing import CliRunner

from llmcost.cli.app import app
from tests.conftest import FIXTURE_PRICING

CAT = ["--catalog", str(FIXTURE_PRICING)]
AT = ["--at", "2026-01-20"]


def run(*args: str):
    return CliRunner().invoke(app, [*args, *CAT], env={"NO_COLOR": "1", "COLUMNS": "200"})


def assert_bad_input(result, *needles: str) -> None:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_one_named_model_with_a_prompt_over_its_context_window_is_exit_2():
    result = run("compare", "alpha-old", "-i", "100001", "-o", "1", *AT)
    assert_bad_input(result, "alpha-old", "100001", "context window of 100000")


def test_a_prompt_exactly_at_the_context_window_is_priced():
    # 100,000 x $0.5/M + 1 x $1/M = 0.050001
    doc = json.loads(
        run("compare", "alpha-old", "-i", "100000", "-o", "1", *AT, "--format", "json").stdout
    )
    assert doc["rows"][0]["total"] == "0.050001"


def test_one_named_model_with_an_output_over_its_maximum_is_exit_2():
    result = run("compare", "alpha-old", "-i", "10", "-o", "10001", *AT)
    assert_bad_input(result, "alpha-old", "maximum output of 10000")


def test_the_all_models_list_leaves_out_the_models_that_cannot_take_it():
    result = run("compare", "-i", "200k", "-o", "1", *AT, "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert "alpha-old" not in [r["model"] for r in doc["rows"]]
    assert doc["skipped"][0]["model"] == "alpha-old"
    assert "alpha-old" in result.stderr and "context window" in result.stderr


def test_when_no_model_can_take_it_the_error_says_why():
    result = run("compare", "-i", "2M", "-o", "1", *AT)
    assert_bad_input(result, "no model can price this workload", "context window")


def test_several_named_models_leave_out_the_one_that_cannot_take_it():
    result = run("compare", "alpha-old", "alpha-flash", "-i", "200k", "-o", "1", *AT, "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert [r["model"] for r in json.loads(result.stdout)["rows"]] == ["alpha-flash"]
    assert "alpha-old" in result.stderr


def test_a_baseline_that_cannot_take_it_is_an_error():
    result = run("compare", "alpha-flash", "--baseline", "alpha-old", "-i", "200k", "-o", "1", *AT)
    assert_bad_input(result, "alpha-old", "context window")


def test_a_simulate_slice_that_cannot_take_it_is_an_error_naming_the_slice():
    result = run("simulate", "--mix", "alpha-flash=50,alpha-old=50", "-i", "1", "-o", "20k", *AT)
    assert_bad_input(result, "slice 2 (alpha-old)", "maximum output of 10000")


def test_a_slice_own_workload_is_checked_in_a_mix_file(tmp_path):
    mix = tmp_path / "mix.toml"
    mix.write_text(
        "[[slices]]\nmodel = 'alpha-flash'\nshare = 50\n"
        "[[slices]]\nmodel = 'alpha-old'\nshare = 50\ninput = 150000\n"
    )
    result = run("simulate", "--mix-file", str(mix), "-i", "1000", "-o", "10", *AT)
    assert_bad_input(result, "mix.toml:4", "alpha-old", "context window")


def test_a_budget_whose_workload_a_model_cannot_take_is_an_error(tmp_path):
    budget = tmp_path / "b.toml"
    budget.write_text(
        "name = 'b'\nlimit = 100\n\n[[workloads]]\nmodel = 'alpha-old'\n"
        "requests_per_month = 10\ninput = 200000\noutput = 1\n"
    )
    result = run("budget", "check", str(budget), "--at", "2026-01-10")
    assert result.exit_code == 2
    assert "b.toml:5" in result.stderr and "context window of 100000" in result.stderr


def test_a_sweep_point_past_a_context_window_is_that_point_only():
    result = run(
        "simulate", "--mix", "alpha-flash=50,alpha-old=50", "-i", "1000", "-o", "10", *AT,
        "--sweep", "input=50k:150k:50k", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    points = json.loads(result.stdout)["sweep"]["points"]
    assert [p["cost_max"] is None for p in points] == [False, False, True]
    assert "context window of 100000" in points[2]["reason"]
    # 100,000 in x ($1 x 50% + $0.5 x 50%)/M + 10 out x ($2 x 50% + $1 x 50%)/M = 0.075015
    assert points[1]["cost_max"] == "0.075015"


def test_budget_validate_refuses_a_workload_a_model_cannot_take(tmp_path):
    budget = tmp_path / "b.toml"
    budget.write_text(
        "name = 'b'\nlimit = 100\n\n[[workloads]]\nrequests_per_month = 10\ninput = 1000\n"
        "output = 20000\n\n[[workloads.slices]]\nmodel = 'alpha-flash'\nshare = 50\n\n"
        "[[workloads.slices]]\nmodel = 'alpha-old'\nshare = 50\n"
    )
    result = run("budget", "validate", str(budget))
    assert result.exit_code == 2
    assert "b.toml:4" in result.stderr and "maximum output of 10000" in result.stderr
