"""Every budget under examples/budgets/ runs as it is against the shipped catalog, with the
status its comments promise: the V4 Pro promo end (as known on 2026-05-03) and the
deepseek-chat retirement caught ahead, and peak pricing breaking the support bot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmcost.cli.app import app

BUDGETS = Path(__file__).resolve().parent.parent / "examples" / "budgets"


def check(name: str, *args: str) -> dict:
    result = CliRunner().invoke(
        app, ["budget", "check", str(BUDGETS / name), *args, "--format", "json"]
    )
    doc = json.loads(result.stdout)
    assert doc["exit_code"] == result.exit_code
    return doc["budgets"][0]


def test_there_are_examples():
    assert {p.name for p in BUDGETS.glob("*.toml")} == {
        "support-bot.toml", "coding-agent.toml", "research-pro.toml", "legacy-chat.toml",
        "office-assistant.toml",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("name", "args", "status"),
    [
        ("support-bot.toml", ["--month", "2026-06"], "ok"),
        ("support-bot.toml", ["--at", "2026-07-20"], "warn"),  # peak pricing from 08-16 ahead
        ("support-bot.toml", ["--month", "2026-09"], "over"),
        ("coding-agent.toml", ["--month", "2026-06"], "warn"),
        ("research-pro.toml", ["--at", "2026-05-10"], "warn"),
        ("research-pro.toml", ["--at", "2026-05-10", "--strict"], "over"),
        ("research-pro.toml", ["--month", "2026-06"], "over"),
        ("legacy-chat.toml", ["--month", "2026-06", "--horizon", "0"], "ok"),
        ("legacy-chat.toml", ["--at", "2026-06-28"], "warn"),
        ("legacy-chat.toml", ["--at", "2026-08-01"], "error"),
        ("office-assistant.toml", ["--month", "2026-10"], "over"),  # ok if priced evenly
    ],
)
def test_example_budget_status(name, args, status):
    assert check(name, *args)["status"] == status


def test_v4_pro_promo_end_as_known_on_2026_05_03():
    budget = check("research-pro.toml", "--at", "2026-05-10")
    assert budget["catalog_version"] == "2026-04-26" and budget["pinned"]
    ahead = budget["lookahead"][0]
    assert ahead["at"] == "2026-05-31T15:59:00Z"
    assert ahead["changes"] == ["deepseek-v4-pro: promo ends, list price"]
    # 1M x (500 x 1.74 + 1500 x 0.0145 + 400 x 3.48) / 1M = 870 + 21.75 + 1392
    assert (ahead["cost"], ahead["status"]) == ("2283.75", "over")
    # the newest catalog made the quarter price permanent: no breach there
    assert budget["drift"]["status"] == "ok"


def test_the_unpinned_catalog_day_also_sees_the_promo_end():
    budget = check("support-bot.toml", "--at", "2026-05-10", "--catalog", "2026-05-03")
    assert budget["catalog_version"] == "2026-04-26"


def test_deepseek_chat_retirement_ahead_names_the_successor():
    ahead = check("legacy-chat.toml", "--at", "2026-06-28")["lookahead"][0]
    assert ahead["at"] == "2026-07-24T15:59:00Z"
    assert ahead["changes"] == ["deepseek-chat: retired (successor deepseek-v4-flash)"]
    assert ahead["status"] == "error" and "deepseek-v4-flash" in ahead["error"]


def test_action_and_pre_commit_hook_run_existing_commands():
    root = BUDGETS.parent.parent
    action = (root / "action.yml").read_text()
    assert "using: composite" in action and "llmcost budget check" in action
    assert "--format github" in action
    hooks = (root / ".pre-commit-hooks.yaml").read_text()
    assert "entry: llmcost budget validate" in hooks
    for command in (["budget", "check", "--help"], ["budget", "validate", "--help"]):
        assert CliRunner().invoke(app, command).exit_code == 0


def test_office_hours_traffic_costs_what_the_peak_hours_make_it():
    # 1M x (500 x 0.30 + 1500 x 0.006 + 400 x 1.20) / 1M = 639 at peak, 319.5 off-peak;
    # Beijing's 09-18 holds 7 peak hours of 9: (7 x 639 + 2 x 319.5) / 9 = 568
    budget = check("office-assistant.toml", "--month", "2026-10")
    assert budget["cost"] == "568"
    assert budget["workloads"][0]["traffic"] == "office-hours@Asia/Shanghai"


def test_the_action_runs_on_node_24_in_its_own_cached_virtual_environment():
    action = (BUDGETS.parent.parent / "action.yml").read_text()
    assert "actions/setup-python@v6" in action and "setup-python@v5" not in action
    assert "update-environment: false" in action  # the calling job's Python is left alone
    assert "actions/cache@v5" in action and "cache-hit != 'true'" in action
    assert "-m venv" in action and '"$bin/llmcost" budget check' in action
    assert "pip install" not in action.split("-m venv")[0]  # never into the job's Python


def test_the_hook_and_the_action_look_at_the_same_files():
    import re

    root = BUDGETS.parent.parent
    hooks = (root / ".pre-commit-hooks.yaml").read_text()
    pattern = re.search(r"files: (\S+)", hooks).group(1)
    assert "default: budgets/*.toml" in (root / "action.yml").read_text()
    assert re.search(pattern, "budgets/support-bot.toml")
    assert re.search(pattern, "services/api/budgets/chat.toml")
    assert not re.search(pattern, "budgets/mixes/routing.toml")  # a mix a budget names
    assert not re.search(pattern, "budgets/README.md")


def test_a_mix_file_checked_as_a_budget_says_what_it_is(tmp_path):
    mix = tmp_path / "routing.toml"
    mix.write_text("[[slices]]\nmodel = 'deepseek-v4-flash'\nshare = 100\n")
    for command in ("validate", "check"):
        result = CliRunner().invoke(app, ["budget", command, str(mix)])
        assert result.exit_code == 2
        assert "routing.toml: this is a mix file, not a budget" in result.stderr
