"""A log llmcost cannot read is bad input: exit 2 and one line naming the file and what the
system said, in words of its own for each error; never a traceback (exit 3), never a hang."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmcost.cli.app import app

BILL_PRICING = Path(__file__).resolve().parent.parent / "fixtures" / "pricing"
OK = '{"model": "alpha-flash", "timestamp": "2026-01-10", "input": 1000, "output": 100}\n'


def run(*args):
    return CliRunner().invoke(
        app, ["bill", *args, "--catalog", str(BILL_PRICING)], env={"COLUMNS": "200"}
    )


def one_line_error(result, words: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("llmcost: error: "), result.stderr
    assert words in lines[0], lines[0]


def test_missing_file(tmp_path):
    one_line_error(run(str(tmp_path / "nope.jsonl")), "nope.jsonl: no such file")


def test_directory(tmp_path):
    one_line_error(run(str(tmp_path)), "is a directory, not a usage log")


def test_symlink_loop(tmp_path):
    loop = tmp_path / "loop.jsonl"
    loop.symlink_to(loop)
    one_line_error(run(str(loop)), "loop.jsonl: a loop of symbolic links")


def test_path_through_a_file(tmp_path):
    log = tmp_path / "u.jsonl"
    log.write_text(OK)
    one_line_error(run(str(log / "x.jsonl")), "a part of the path is not a directory")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_no_read_permission(tmp_path):
    log = tmp_path / "u.jsonl"
    log.write_text(OK)
    log.chmod(0)
    try:
        one_line_error(run(str(log)), "u.jsonl: permission denied")
    finally:
        log.chmod(0o600)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any directory")
def test_unsearchable_directory(tmp_path):
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "u.jsonl").write_text(OK)
    folder.chmod(0)
    try:
        one_line_error(run(str(folder / "u.jsonl")), "permission denied")
    finally:
        folder.chmod(0o700)


def test_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "u.jsonl"
    os.mkfifo(fifo)
    box = {}
    thread = threading.Thread(target=lambda: box.setdefault("r", run(str(fifo))), daemon=True)
    thread.start()
    thread.join(30)
    assert not thread.is_alive(), "bill waited on a FIFO"
    one_line_error(box["r"], "not a regular file (a pipe)")


def test_device_is_refused():
    one_line_error(run("/dev/null"), "not a regular file (a device or socket)")


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (PermissionError(13, "Permission denied"), "permission denied"),
        (OSError(5, "Input/output error"), "an input/output error while reading it"),
        (OSError(28, "No space left on device"), "cannot be read: No space left on device"),
    ],
)
def test_an_os_error_while_reading_is_bad_input_not_a_crash(tmp_path, monkeypatch, error, words):
    """Root reads any file, so the error is raised where the readers open the log."""
    from llmcost.usage import scan

    log = tmp_path / "u.jsonl"
    log.write_text(OK)
    error.filename = str(log)

    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr(scan.Scanner, "file", fail)
    monkeypatch.setattr("llmcost.usage.readers.fast_source", fail)
    one_line_error(run(str(log)), f"u.jsonl: {words}")
