"""Shell completion (typer's): `llmcost --show-completion SHELL` prints the script a shell
sources, `--install-completion SHELL` installs it, and the installed `llmcost` completes
command names, subcommands and options. A one-shot command builds an app without it
(`cli.app.build_app`), so completion costs its start-up nothing (bench/startup.py).

typer detects the shell from the parent process; `_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION`
(typer's own switch for its tests) makes the options take the shell's name instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmcost.cli.app import build_app

NO_DETECTION = {"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
LLMCOST = Path(sys.executable).parent / "llmcost"  # the installed entry point
needs_script = pytest.mark.skipif(not LLMCOST.exists(), reason="no installed llmcost script")


def show(shell: str, monkeypatch) -> str:
    # typer reads the switch when it builds the command, before CliRunner sets `env`
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    result = CliRunner().invoke(build_app(), ["--show-completion", shell], prog_name="llmcost")
    assert result.exit_code == 0, result.output
    return result.stdout


def test_bash_script_calls_llmcost_back_with_its_completion_variable(monkeypatch):
    script = show("bash", monkeypatch)
    assert "_LLMCOST_COMPLETE=complete_bash $1" in script
    assert script.rstrip().endswith("complete -o default -F _llmcost_completion llmcost")


def test_zsh_and_fish_scripts(monkeypatch):
    zsh = show("zsh", monkeypatch)
    assert zsh.startswith("#compdef llmcost") and "_LLMCOST_COMPLETE=complete_zsh" in zsh
    fish = show("fish", monkeypatch)
    assert "complete --command llmcost" in fish and "_LLMCOST_COMPLETE=complete_fish" in fish


def test_root_help_lists_the_completion_options():
    result = CliRunner().invoke(build_app(), ["--help"], env={"NO_COLOR": "1", "COLUMNS": "200"})
    assert result.exit_code == 0
    assert "--install-completion" in result.stdout and "--show-completion" in result.stdout


def test_a_one_shot_command_is_built_without_completion():
    """What keeps completion out of `llmcost compare`'s start-up."""
    command = build_app("compare")
    assert command._add_completion is False
    assert build_app()._add_completion is True


def complete(words: str, **env: str) -> list[str]:
    """What bash gets back from the installed `llmcost` for the command line `words`."""
    cword = len(words.split()) - (0 if words.endswith(" ") else 1)
    result = subprocess.run(
        [str(LLMCOST)],
        env={**os.environ, "_LLMCOST_COMPLETE": "complete_bash", "COMP_WORDS": words,
             "COMP_CWORD": str(cword), **env},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


@needs_script
def test_the_installed_script_completes_commands_subcommands_and_options():
    assert complete("llmcost bud") == ["budget"]
    assert complete("llmcost budget ") == ["check", "validate", "schema", "init"]
    assert "--mix-file" in complete("llmcost simulate --mix")


@needs_script
def test_install_completion_writes_the_script_where_bash_sources_it(tmp_path):
    env = {**os.environ, **NO_DETECTION, "HOME": str(tmp_path)}
    result = subprocess.run(
        [str(LLMCOST), "--install-completion", "bash"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    script = tmp_path / ".bash_completions" / "llmcost.sh"
    assert "_LLMCOST_COMPLETE=complete_bash" in script.read_text()
    assert f"source '{script}'" in (tmp_path / ".bashrc").read_text()


def llmcost(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LLMCOST), *args], env={**os.environ, **env}, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip


@needs_script
def test_install_completion_into_a_bashrc_that_is_a_directory_is_one_line(tmp_path):
    (tmp_path / ".bashrc").mkdir()
    env = {**NO_DETECTION, "HOME": str(tmp_path)}
    result = llmcost("--install-completion", "bash", **env)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("llmcost: error: cannot install shell completion: ")
    assert f"{tmp_path / '.bashrc'}: Is a directory (hint: " in result.stderr


@needs_script
@pytest.mark.parametrize("option", ["--show-completion", "--install-completion"])
@pytest.mark.parametrize("word", ["zsh", "nosuch"])
def test_a_shell_name_after_the_detecting_options_is_an_error(option, word, tmp_path):
    """Without typer's test switch the options detect the shell and take no name: an extra
    word used to be ignored (`--show-completion zsh` printed bash's script)."""
    env = {k: v for k, v in os.environ.items() if k not in NO_DETECTION}
    result = subprocess.run(
        [str(LLMCOST), option, word], env={**env, "HOME": str(tmp_path)},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (
        f"llmcost: error: {option} takes no shell name ({word!r}): it detects the shell it "
        f"runs in (hint: run it from that shell, e.g. {word} -c 'llmcost {option}')\n"
    )
    assert not (tmp_path / ".bashrc").exists()


@needs_script
def test_format_completes_its_choices():
    assert complete("llmcost bill --format ") == ["table", "json", "csv", "markdown", "html"]
    assert complete("llmcost compare -f ") == ["table", "json", "csv", "markdown"]
    assert complete("llmcost budget check x.toml --format j") == ["json", "junit"]
