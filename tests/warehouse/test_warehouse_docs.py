"""The shell commands of docs/warehouse.md run as written (from the repository's root)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmcost.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "docs" / "warehouse.md").read_text()
COMMANDS = [
    line
    for block in re.findall(r"```sh\n(.*?)```", PAGE, flags=re.S)
    for line in block.splitlines()
    if line.startswith("llmcost ")
]


def test_the_page_has_its_commands():
    assert len(COMMANDS) == 4


@pytest.mark.parametrize("command", COMMANDS)
def test_command_runs(command, tmp_path, monkeypatch):
    args = shlex.split(command)[1:]
    args = [str(ROOT / a) if a.startswith("examples/") else a for a in args]
    monkeypatch.chdir(tmp_path)  # the exported files land here
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
