"""Every mix under examples/mixes/ runs as it is against the shipped catalog."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmcost.cli.app import app

MIXES = sorted((Path(__file__).resolve().parent.parent / "examples" / "mixes").glob("*.toml"))


def test_there_are_examples():
    names = {p.name for p in MIXES}
    assert "seed-routing.toml" in names and len(names) >= 2


@pytest.mark.parametrize("path", MIXES, ids=lambda p: p.name)
@pytest.mark.parametrize("when", [["--at", "2026-04-25"], ["--month", "2026-10"]])
def test_example_mix_runs(path, when):
    result = CliRunner().invoke(
        app, ["simulate", "--mix-file", str(path), *when, "--format", "json"]
    )
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["mix"] and doc["baselines"]
    assert Decimal(doc["cost_min"]) <= Decimal(doc["cost_max"])
