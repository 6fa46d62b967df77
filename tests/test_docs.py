"""Every example in README.md and docs/ runs, and prints what the page says it prints.

The convention, for every page whoever writes it (docs/contributing.md says the same):

- A ```console block is a transcript. A line starting with `$ ` is a command (a line ending
  in `\\` goes on to the next); the lines after it, up to the next `$ ` or the block's end,
  are what it prints, stdout and stderr as a terminal shows them, compared exactly (trailing
  spaces and blank lines at the end aside): a command followed by no lines prints nothing.
  To run a command without showing what it prints, put it in a ```sh block.
- A ```sh block (or `bash`, `shell`) holds commands without prompts, one a line (`#` starts a
  comment, `\\` continues a line): each is run and must succeed; no output is compared.
- A command must exit 0. `<!-- test: exit N -->` on the line before a block says that its
  commands exit N (a budget over its limit: 1; bad input: 2).
- `<!-- test: skip: REASON -->` on the line before a block leaves it unrun: only for what a
  test cannot do (install packages, reach the network, benchmark for minutes).
- `<!-- test: needs: MODULE -->` runs the block only where MODULE imports (an optional extra's
  commands, such as the warehouse's `ibis`); CI installs every extra, so there it always runs.
- A ```pycon block is a doctest (`>>> ` lines, their output after); a ```python block is run
  and must not raise; a page's Python blocks share their names, as one session.
- Any other block whose first line starts with `$ ` is an error: examples are `console`.

`LLMCOST_UPDATE_DOCS=1 python -m pytest tests/test_docs.py` writes what each console command
prints into its page instead of comparing: for a new example, or after a change that moves
the output on purpose. Read the diff before committing it: it is what the page now claims.

How they run: by bash, with the installed `llmcost` (this interpreter's) first on PATH, in a
scratch folder that links to everything at the repository's top level, so `examples/...` and
`pricing/...` are found as from the repository root and a file a command writes (a saved mix,
`budget init`) lands in the scratch folder, never in the checkout. A page's commands run in
order in one scratch folder, so a page may write a file and read it back. The catalog is the
shipped one, with no user config or update layers, COLUMNS=200 and NO_COLOR. Prices depend on
the instant priced, so an example pins `--at` or `--month`; the one line that depends on the
day the test runs, the warning that the catalog is more than 30 days old, is left out of the
comparison.
"""

from __future__ import annotations

import difflib
import doctest
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PAGES = sorted([REPO / "README.md", *(REPO / "docs").rglob("*.md")])
SHELLS = {"sh", "bash", "shell"}
_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})\s*(?P<lang>[\w+-]*)")
_MARKER = re.compile(
    r"^\s*<!--\s*test:\s*(?P<what>skip|exit|needs)\b\s*:?\s*(?P<arg>.*?)\s*-->\s*$"
)
# depends on the day the test runs, not on the example (cli/options.warn_if_stale)
_STALE = re.compile(r"^llmcost: the catalog's newest prices are from ")


@dataclass
class Block:
    page: Path
    line: int  # of the opening fence, 1-based
    lang: str
    lines: list[str]
    skip: str | None = None
    exit_code: int = 0
    needs: str | None = None  # a module of an optional extra
    indent: str = ""

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(REPO)}:{self.line}"


@dataclass
class Command:
    text: str
    source: list[str]  # the lines it is written on, prompt and continuations
    expected: list[str] = field(default_factory=list)


def blocks(page: Path) -> list[Block]:
    """The fenced blocks of a Markdown page, with the `<!-- test: ... -->` marker before each."""
    found: list[Block] = []
    lines = page.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        indent, fence = opening["indent"], opening["fence"]
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not lines[j].strip().startswith(fence):
            body.append(lines[j][len(indent) :] if lines[j].startswith(indent) else lines[j])
            j += 1
        block = Block(page, i + 1, opening["lang"].lower(), body, indent=indent)
        marker = _MARKER.match(lines[i - 1]) if i else None
        if marker and marker["what"] == "skip":
            assert marker["arg"], f"{block.where}: `<!-- test: skip: REASON -->` needs a reason"
            block.skip = marker["arg"]
        elif marker and marker["what"] == "needs":
            block.needs = marker["arg"]
        elif marker:
            block.exit_code = int(marker["arg"])
        found.append(block)
        i = j + 1
    return found


def commands(block: Block) -> list[Command]:
    """A console block's commands with their shown output; a sh block's commands."""
    found: list[Command] = []
    lines = iter(block.lines)
    for line in lines:
        if block.lang == "console" and not line.startswith("$ "):
            assert found, f"{block.where}: a console block starts with a `$ ` command"
            found[-1].expected.append(line)
            continue
        source = [line]
        text = line[2:] if block.lang == "console" else line
        while text.endswith("\\"):
            source.append(next(lines, ""))
            text = text[:-1] + " " + source[-1].strip()
        if block.lang in SHELLS and not shlex.split(text, comments=True):
            continue  # a blank line or a comment
        found.append(Command(text, source))
    return found


def _shown(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.splitlines() if not _STALE.match(line)]
    while lines and not lines[-1]:
        lines.pop()
    return lines


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A folder that looks like the repository's root to a command and keeps what it writes."""
    for entry in REPO.iterdir():
        if entry.name not in (".git", "site"):
            (tmp_path / entry.name).symlink_to(entry)
    return tmp_path


def _environment(monkeypatch) -> dict[str, str]:
    bin_dir = Path(sys.executable).parent
    assert shutil.which("llmcost", path=str(bin_dir)), (
        f"no `llmcost` in {bin_dir}: install llmcost into this interpreter's environment"
    )
    # The catalog cache is the conftest's private folder; CI turns the cache off, which would
    # validate the 4,000-offering catalog afresh for every command (~2 s each).
    monkeypatch.delenv("LLMCOST_NO_CACHE", raising=False)
    for name in ("GITHUB_STEP_SUMMARY", "LLMCOST_MEMORY_LIMIT", "CLICOLOR_FORCE", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    env = dict(os.environ)
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        COLUMNS="200",
        NO_COLOR="1",
        PYTHONUNBUFFERED="1",  # stdout and stderr interleaved as written, as a terminal shows
        LC_ALL="C.UTF-8",
    )
    return env


def _run(command: Command, block: Block, cwd: Path, env: dict[str, str]) -> tuple[str, list[str]]:
    """What one command prints, and what is wrong with its run, if anything."""
    result = subprocess.run(
        ["bash", "-c", command.text],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
    )
    problems = []
    if result.returncode != block.exit_code:
        problems.append(
            f"exit {result.returncode}, expected {block.exit_code}\n{result.stdout[-3000:]}"
        )
    if "Traceback (most recent call last)" in result.stdout:
        problems.append(f"a traceback:\n{result.stdout[-3000:]}")
    shown, printed = _shown("\n".join(command.expected)), _shown(result.stdout)
    if block.lang == "console" and shown != printed:
        diff = difflib.unified_diff(shown, printed, "shown on the page", "printed", lineterm="")
        problems.append("\n".join(diff))
    return result.stdout, [f"{block.where}: $ {command.text}\n{problem}" for problem in problems]


def _check_python(block: Block, namespace: dict) -> list[str]:
    """A python block run, a pycon block checked as a doctest, in the page's one namespace."""
    text = "\n".join(block.lines) + "\n"
    if block.lang == "python":
        try:
            exec(compile(text, block.where, "exec"), namespace)
        except Exception as exc:
            return [f"{block.where}: {type(exc).__name__}: {exc}"]
        return []
    test = doctest.DocTestParser().get_doctest(
        text, namespace, block.where, str(block.page), block.line
    )
    report: list[str] = []
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test, out=report.append, clear_globs=False)
    namespace.update(test.globs)  # DocTest works on a copy
    return ["".join(report)] if runner.failures else []


def _rewrite(page: Path, printed: dict[int, list[tuple[Command, str]]]) -> None:
    """LLMCOST_UPDATE_DOCS: each console block's commands followed by what they printed."""
    lines = page.read_text(encoding="utf-8").splitlines()
    by_line = {block.line: block for block in blocks(page)}
    for line in sorted(printed, reverse=True):
        block = by_line[line]
        body = []
        for command, output in printed[line]:
            body += command.source + _shown(output)
        indented = [f"{block.indent}{text}" if text else text for text in body]
        lines[line : line + len(block.lines)] = indented
    page.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _importable(module: str) -> bool:
    """An optional extra's module is there; under CI, which installs every extra, it must be."""
    import importlib.util

    found = importlib.util.find_spec(module) is not None
    assert found or not os.environ.get("CI"), f"CI must install what imports {module!r}"
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(REPO)))
def test_page_examples_run_and_match(page: Path, scratch: Path, monkeypatch) -> None:
    env = _environment(monkeypatch)
    monkeypatch.chdir(scratch)
    update = bool(os.environ.get("LLMCOST_UPDATE_DOCS"))
    problems: list[str] = []
    printed: dict[int, list[tuple[Command, str]]] = {}
    namespace: dict = {"__name__": "__docs__"}  # a page's Python blocks, as one session
    for block in blocks(page):
        if block.lang not in {"console", "pycon", "python"} | SHELLS:
            assert not (block.lines and block.lines[0].startswith("$ ")), (
                f"{block.where}: a command with a prompt in a ```{block.lang} block: "
                "make it ```console so that it is run"
            )
            continue
        if block.skip or (block.needs and not _importable(block.needs)):
            continue
        if block.lang in ("python", "pycon"):
            problems += _check_python(block, namespace)
            continue
        for command in commands(block):
            output, wrong = _run(command, block, scratch, env)
            problems += wrong
            if block.lang == "console":
                printed.setdefault(block.line, []).append((command, output))
    if update:
        _rewrite(page, printed)
        problems = [p for p in problems if "\n--- shown on the page" not in p]
    assert not problems, "\n\n".join(problems)


def test_the_convention_reads_its_own_markers(tmp_path: Path) -> None:
    """The parser on a page of every kind of block: what it would run, compare and skip."""
    page = tmp_path / "page.md"
    page.write_text(
        "```console\n$ llmcost a \\\n    --b\nout 1\n\nout 2\n$ llmcost c\n```\n"
        "<!-- test: exit 2 -->\n```sh\n# comment\nllmcost d  # why\n\nllmcost e \\\n  f\n```\n"
        "<!-- test: skip: installs -->\n```sh\npip install .\n```\n"
        "```text\nllmcost compare [MODEL...]\n```\n"
    )
    found = blocks(page)
    assert [(b.lang, b.exit_code, b.skip) for b in found] == [
        ("console", 0, None),
        ("sh", 2, None),
        ("sh", 0, "installs"),
        ("text", 0, None),
    ]
    first, second = commands(found[0])
    assert (first.text, first.source) == ("llmcost a  --b", ["$ llmcost a \\", "    --b"])
    assert (first.expected, second.text, second.expected) == (
        ["out 1", "", "out 2"],
        "llmcost c",
        [],
    )
    assert [c.text for c in commands(found[1])] == ["llmcost d  # why", "llmcost e  f"]
    assert _shown("a  \nllmcost: the catalog's newest prices are from 2026-01-01, ...\nb\n\n") == [
        "a",
        "b",
    ]


def test_readme_opens_with_the_two_commands() -> None:
    """The first screen: install and run the main job; install and run the tests. The first
    command's `llmcost` part is run with its output on the page (README's first console block)."""
    readme = blocks(REPO / "README.md")
    install = readme[0]
    assert install.lang == "sh" and install.skip
    run, test = (line for line in install.lines if line.strip())
    assert run.startswith("pip install . && llmcost compare ")
    assert test == 'pip install ".[test]" && python -m pytest'
    shown = [c.text for b in readme if b.lang == "console" and not b.skip for c in commands(b)]
    assert " ".join(run.removeprefix("pip install . && ").split()) in [
        " ".join(text.split()) for text in shown
    ]
