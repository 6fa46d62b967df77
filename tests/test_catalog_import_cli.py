"""`llmcost catalog import FORMAT FILE -o DIR`: a peer's file as llmcost price files.

The format is the fake one of conftest.py (the real importers have their own tests); what is
tested here is the command: the bounded read, never overwriting without --force, the list
of unmapped keys, and that what it writes is a valid catalog.
"""

from __future__ import annotations

import importlib.util
import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmcost.catalog import importers
from llmcost.catalog.load import load_catalog
from llmcost.cli import catalog as catalog_cli
from llmcost.cli.app import app

runner = CliRunner()
PEER = {
    "offerings": [
        {"provider": "delta", "id": "delta-1", "input": "1.25", "output": "10"},
        {"provider": "delta", "id": "delta-mini", "input": "0.25", "output": "2",
         "cache_read": "0.025"},
        {"provider": "epsilon", "id": "eps-large", "input": "3", "output": "15"},
    ],
    "unmapped": [["delta-tts", "priced per character"], ["x/unknown", "no provider"]],
}  # fmt: skip


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog_cli, "_now", lambda: datetime(2026, 12, 6, 9, 0, tzinfo=UTC))


def run(*args: str):
    return runner.invoke(app, ["catalog", "import", *args], env={"NO_COLOR": "1"})


def peer_file(tmp_path: Path, data: dict | bytes = PEER) -> Path:
    path = tmp_path / "peer.json"
    path.write_bytes(data if isinstance(data, bytes) else json.dumps(data).encode())
    return path


def one_error(result) -> str:
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("llmcost: error: "), result.output
    assert result.exit_code == 2
    return lines[0]


def test_import_writes_a_valid_catalog_and_lists_the_unmapped(fake_format, tmp_path):
    out = tmp_path / "out"
    result = run("fake", str(peer_file(tmp_path)), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["UNMAPPED.txt", "delta.toml", "epsilon.toml"]
    assert result.output == (
        f"llmcost: imported 3 offerings of 2 providers from {tmp_path / 'peer.json'} into {out}; "
        f"2 keys not mapped (listed in {out / 'UNMAPPED.txt'})\n"
    )
    unmapped = (out / "UNMAPPED.txt").read_text().splitlines()
    assert unmapped[-2:] == ["delta-tts\tpriced per character", "x/unknown\tno provider"]
    catalog = load_catalog(out)
    assert sorted(i.key for i in catalog.models()) == ["delta-1", "delta-mini", "eps-large"]
    # --published defaults to today (the CLI's clock), the knowledge day of undated prices
    assert catalog.versions == (date(2026, 12, 6),)
    assert (out / "delta.toml").read_text().startswith("# Imported by 'llmcost catalog import")


def test_published_and_json_summary(fake_format, tmp_path):
    out = tmp_path / "out"
    args = ("fake", str(peer_file(tmp_path)), "-o", str(out), "--published", "2026-11-30")
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["offerings"] == 3 and document["providers"] == 2
    assert document["published"] == "2026-11-30"
    assert document["unmapped"][0] == {"key": "delta-tts", "reason": "priced per character"}
    assert load_catalog(out).versions == (date(2026, 11, 30),)


def test_existing_files_are_not_overwritten_without_force(fake_format, tmp_path):
    out = tmp_path / "out"
    source = str(peer_file(tmp_path))
    assert run("fake", source, "-o", str(out)).exit_code == 0
    (out / "delta.toml").write_text("# my own edits\n")
    line = one_error(run("fake", source, "-o", str(out)))
    assert line == (
        f"llmcost: error: {out / 'delta.toml'}: already exists "
        "(hint: give --force to overwrite it, or write to another directory)"
    )
    assert (out / "delta.toml").read_text() == "# my own edits\n"
    assert run("fake", source, "-o", str(out), "--force").exit_code == 0
    assert "my own edits" not in (out / "delta.toml").read_text()
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_output_that_would_not_validate_is_not_written(fake_format, tmp_path):
    bad = {"offerings": [{"provider": "delta", "id": "delta-1", "input": "1", "output": "2",
                          "source": ["NOPE"]}]}  # fmt: skip
    out = tmp_path / "out"
    line = one_error(run("fake", str(peer_file(tmp_path, bad)), "-o", str(out)))
    assert "the import would not pass 'catalog validate'" in line
    assert "'NOPE' is not in this file's [sources]" in line
    assert not out.exists()


def test_nothing_mapped_is_an_error(fake_format, tmp_path):
    data = {"offerings": [], "unmapped": [["a", "b"]]}
    line = one_error(run("fake", str(peer_file(tmp_path, data)), "-o", str(tmp_path / "o")))
    assert "no offering could be mapped (1 keys not mapped)" in line


def test_oversize_file(fake_format, tmp_path, monkeypatch):
    monkeypatch.setattr(importers, "MAX_BYTES", 100)
    path = peer_file(tmp_path)
    assert one_error(run("fake", str(path), "-o", str(tmp_path / "o"))) == (
        f"llmcost: error: {path}: larger than 100 bytes (hint: is it the right file?)"
    )


def test_not_a_regular_file(fake_format, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # opening it would block: refused before it is opened
    for path in (fifo, tmp_path):
        line = one_error(run("fake", str(path), "-o", str(tmp_path / "o")))
        assert line.startswith(f"llmcost: error: {path}: not a regular file")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("nope", "peer.json"), "FORMAT: unknown format 'nope'"),
        (("fake", "missing.json"), "missing.json: cannot read: No such file or directory"),
        (("fake", "peer.json", "--published", "soon"), "--published: 'soon' is not a date"),
        (("fake", "garbage.json"), "not fake-peer JSON"),
    ],
)
def test_bad_input(fake_format, tmp_path, monkeypatch, args, expected):
    monkeypatch.chdir(tmp_path)
    peer_file(tmp_path)
    (tmp_path / "garbage.json").write_text("<html>")
    assert expected in one_error(run(*args, "-o", "out"))


def test_output_is_required(fake_format, tmp_path):
    result = run("fake", str(peer_file(tmp_path)))
    assert result.exit_code == 2


# a model the shipped catalog does not define (its market files hold LiteLLM's real ones), so
# that the import also loads as an overlay on it
LITELLM = {
    "sample_spec": {"max_tokens": "set to max_output_tokens", "litellm_provider": "openai"},
    "acme-chat-test": {
        "litellm_provider": "openai",
        "mode": "chat",
        "input_cost_per_token": 2.5e-06,
        "output_cost_per_token": 1e-05,
        "cache_read_input_token_cost": 1.25e-06,
        "max_input_tokens": 128000,
        "max_output_tokens": 16384,
    },
    "dall-e-3": {"litellm_provider": "openai", "mode": "image_generation",
                 "output_cost_per_image": 0.04},
}  # fmt: skip


@pytest.mark.skipif(
    importlib.util.find_spec("llmcost.catalog.importers.litellm") is None,
    reason="the LiteLLM importer is not in this branch",
)
def test_import_litellm_file(tmp_path):
    out = tmp_path / "out"
    result = run("litellm", str(peer_file(tmp_path, LITELLM)), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "UNMAPPED.txt").is_file()
    catalog = load_catalog(out)
    assert catalog.models()
    load_catalog(None, overlays=[out])  # and it works as an overlay on the shipped catalog


@pytest.mark.parametrize("command", ["import", "update"])
def test_help(command):
    result = runner.invoke(app, ["catalog", command, "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0 and "Usage" in result.stdout
