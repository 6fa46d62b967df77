"""Files a person names: every read bounded and only of regular files, every OS error in its own
words, every write atomic and never over an existing file unless --force (`llmcost.files`)."""

from __future__ import annotations

import os
import threading

import pytest
from typer.testing import CliRunner

from llmcost.cli.app import app
from llmcost.files import MAX_TEXT_BYTES, write_atomic
from tests.conftest import FIXTURE_PRICING

CAT = ["--catalog", str(FIXTURE_PRICING)]
W = ["--input", "1000", "--output", "100", "--requests", "1000", "--at", "2026-01-20"]
MIX_TEXT = (
    "# our routing, kept with comments\n"
    "[[slices]]\nmodel = 'alpha-flash'\nshare = 60\n"
    "[[slices]]\nmodel = 'beta-large'\nshare = 40\n"
)


def run(*args: str, timeout: float = 20):
    """The CLI in a thread, so a read that would hang fails the test instead of the run."""
    box = {}

    def target():
        box["result"] = CliRunner().invoke(app, list(args), env={"NO_COLOR": "1"})

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), f"llmcost {' '.join(args)} hung"
    return box["result"]


def one_error(result, *needles: str) -> str:
    """Exit 2 and an error line per needle set; never a traceback or an internal error."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    line = result.stderr.strip().splitlines()[-1]
    for needle in needles:
        assert needle in line, line
    return line


# -- reads ----------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["budget-check", "budget-validate", "mix-file", "catalog"])
def test_dev_zero_is_refused_not_read_until_memory_runs_out(command):
    args = {
        "budget-check": ["budget", "check", "/dev/zero", *CAT],
        "budget-validate": ["budget", "validate", "/dev/zero", *CAT],
        "mix-file": ["simulate", "--mix-file", "/dev/zero", *W, *CAT],
        "catalog": ["compare", *W, "--catalog", "/dev/zero"],
    }[command]
    one_error(run(*args), "/dev/zero", "not a regular file", "device")


def test_a_named_pipe_is_refused_not_waited_on(tmp_path):
    pipe = tmp_path / "budget.toml"
    os.mkfifo(pipe)
    one_error(run("budget", "check", str(pipe), *CAT), "named pipe")
    one_error(run("simulate", "--mix-file", str(pipe), *W, *CAT), "named pipe")


def test_a_named_pipe_among_price_files_is_refused(tmp_path):
    for name in ("alpha.toml", "beta.toml"):
        (tmp_path / name).write_bytes((FIXTURE_PRICING / name).read_bytes())
    os.mkfifo(tmp_path / "gamma.toml")
    one_error(run("compare", *W, "--catalog", str(tmp_path)), "gamma.toml", "named pipe")


def test_a_symlink_loop_is_called_a_loop_not_a_missing_file(tmp_path):
    loop = tmp_path / "loop.toml"
    os.symlink(tmp_path / "other.toml", loop)
    os.symlink(loop, tmp_path / "other.toml")
    for args in (
        ["budget", "check", str(loop), *CAT],
        ["simulate", "--mix-file", str(loop), *W, *CAT],
        ["compare", *W, "--catalog", str(loop)],
        ["catalog", "validate", str(loop)],
    ):
        line = one_error(run(*args), "loop.toml", "symbolic link loop")
        assert "no such" not in line


def test_a_missing_file_and_a_directory_say_so(tmp_path):
    one_error(run("budget", "check", str(tmp_path / "nope.toml"), *CAT), "no such file")
    one_error(run("simulate", "--mix-file", str(tmp_path), *W, *CAT), "is a directory")


def test_an_unreadable_file_says_permission_denied(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads any file")
    path = tmp_path / "b.toml"
    path.write_text("name = 'x'\n")
    path.chmod(0)
    one_error(run("budget", "check", str(path), *CAT), "permission denied")


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path):
    path = tmp_path / "huge.toml"
    with path.open("wb") as out:
        out.truncate(MAX_TEXT_BYTES + 1)  # sparse: no disk used
    one_error(run("budget", "validate", str(path), *CAT), "huge.toml", "larger than 8 MiB")
    one_error(run("simulate", "--mix-file", str(path), *W, *CAT), "larger than 8 MiB")


def test_a_mix_file_a_budget_names_is_read_bounded_too(tmp_path):
    (tmp_path / "budget.toml").write_text(
        "name = 'b'\nlimit = 10\n[[workloads]]\nmix_file = 'mix.toml'\nrequests_per_month = 1\n"
        "input = 1\noutput = 1\n"
    )
    os.mkfifo(tmp_path / "mix.toml")
    one_error(run("budget", "check", str(tmp_path / "budget.toml"), *CAT), "named pipe")


# -- writes ---------------------------------------------------------------------------------


def test_save_mix_does_not_overwrite_the_mix_file_it_read(tmp_path):
    mix = tmp_path / "mix.toml"
    mix.write_text(MIX_TEXT)
    result = run("simulate", "--mix-file", str(mix), *W, *CAT, "--save-mix", str(mix))
    one_error(result, "mix.toml", "already exists", "--force")
    assert mix.read_text() == MIX_TEXT  # the comments are still there


def test_save_mix_with_force_replaces_the_file_whole(tmp_path):
    mix = tmp_path / "mix.toml"
    mix.write_text(MIX_TEXT)
    mix.chmod(0o640)
    result = run("simulate", "--mix-file", str(mix), *W, *CAT, "--save-mix", str(mix), "--force")
    assert result.exit_code == 0, result.stderr
    assert "requests = 1000" in mix.read_text()
    assert oct(mix.stat().st_mode & 0o777) == oct(0o640)  # its permissions kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mix.toml"]  # no temporary left


@pytest.mark.parametrize("command", ["compare", "simulate"])
def test_save_budget_refuses_an_existing_file_without_force(tmp_path, command):
    path = tmp_path / "b.toml"
    path.write_text("# mine\n")
    what = ["alpha-flash"] if command == "compare" else ["--mix", "alpha-flash=100"]
    args = [command, *what, *W, *CAT, "--save-budget", str(path), "--limit", "5"]
    one_error(run(*args), "b.toml", "already exists")
    assert path.read_text() == "# mine\n"
    assert run(*args, "--force").exit_code == 0
    assert "limit = 5" in path.read_text()


def test_budget_init_writes_where_the_action_looks_and_never_overwrites(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = run("budget", "init")
    assert first.exit_code == 0, first.stderr
    written = tmp_path / "budgets" / "budget.toml"
    assert written.is_file()  # the Action's default glob is budgets/*.toml
    written.write_text(written.read_text() + "# edited\n")
    one_error(run("budget", "init"), "budgets/budget.toml", "already exists")
    assert written.read_text().endswith("# edited\n")
    assert run("budget", "init", "--force").exit_code == 0
    assert not written.read_text().endswith("# edited\n")


def test_budget_init_elsewhere_says_the_action_will_not_find_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("budget", "init", "mine.toml")
    assert result.exit_code == 0
    assert "budgets/*.toml" in result.stderr


def test_a_write_into_a_missing_folder_or_onto_a_device_is_exit_2(tmp_path):
    one_error(run("budget", "init", str(tmp_path / "no" / "such" / "b.toml")), "no such file")
    one_error(run("budget", "init", "/dev/null", "--force"), "not a regular file")


def test_write_atomic_writes_through_a_symlink_to_its_target(tmp_path):
    target = tmp_path / "real.toml"
    target.write_text("old")
    link = tmp_path / "link.toml"
    os.symlink(target, link)
    write_atomic(link, "new", force=True)
    assert link.is_symlink() and target.read_text() == "new"
