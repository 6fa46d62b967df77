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
