"""The `llmcost` command: composes the command modules and turns errors into exit codes.

Exit codes: 0 success; 1 a check failed; 2 bad input (one line on stderr, never a traceback);
3 an internal error (a bug in llmcost: also one line, asking for a report).
"""

from __future__ import annotations

import gc
import itertools
import os
import sys

import typer
from typer.core import TyperGroup

from llmcost.cli import bill, budget, catalog, compare, prices, simulate, warehouse
from llmcost.cli.options import error_line
from llmcost.errors import LlmcostError

INTERNAL_ERROR = 3


class _Group(TyperGroup):
    """Every command runs inside this group's `invoke`: the one place errors are worded."""

    def invoke(self, ctx):
        from llmcost.cli.options import reset_settings

        try:
            reset_settings()
            return super().invoke(ctx)
        except LlmcostError as exc:
            typer.echo(error_line(exc), err=True)
            raise typer.Exit(exc.exit_code) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            if _is_cli_error(exc):
                raise
            typer.echo(
                f"llmcost: internal error: {type(exc).__name__}: {exc} "
                "(this is a bug in llmcost; please report it with the command you ran)",
                err=True,
            )
            raise typer.Exit(INTERNAL_ERROR) from None


def _is_cli_error(exc: Exception) -> bool:
    """typer's own usage errors (bad option, missing argument) keep their own handling."""
    return any(cls.__name__ in ("ClickException", "Exit", "Abort") for cls in type(exc).__mro__)


# Every command and command group, by the name a user types.
COMMANDS = {
    "prices": prices.prices,
    "compare": compare.compare,
    "simulate": simulate.simulate,
    "bill": bill.bill,
}
GROUPS = {
    "catalog": catalog.app,
    "budget": budget.app,
    "warehouse": warehouse.app,
}


def _version(value: bool) -> None:
    if value:
        from llmcost import __version__

        typer.echo(f"llmcost {__version__}")
        raise typer.Exit()


def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """Exact, date-aware costs of LLM API usage from a sourced price catalog."""


def build_app(only: str | None = None) -> typer.Typer:
    """The `llmcost` app; with `only`, just that command. typer turns every registered
    function's signature into parameters on each run, so a one-shot command that registers
    only itself starts faster (bench/startup.py). Shell completion (`--install-completion`,
    `--show-completion`, and the completing itself, which runs `llmcost` with no command
    word) needs the whole app, and only it pays for typer's completion module."""
    root = typer.Typer(
        cls=_Group,
        name="llmcost",
        no_args_is_help=True,
        add_completion=only is None,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    root.callback()(_root)
    for name, function in COMMANDS.items():
        if only in (None, name):
            root.command(name)(function)
    for name, group in GROUPS.items():
        if only in (None, name):
            root.add_typer(group, name=name)
    return root


app = build_app()


def main() -> None:
    # one command, then the process ends and its memory with it: the cyclic collector would
    # only scan and rescan the catalog's objects as they are unpickled and every report row
    # as it is built (~20% of the every-offering compare's CPU, even at rarer thresholds);
    # llmcost makes no reference cycles per record or row that it would have to reclaim
    gc.disable()
    if (problem := _completion_word(sys.argv[1:])) is not None:
        typer.echo(problem, err=True)
        sys.exit(2)
    words = [arg for arg in sys.argv[1:] if not arg.startswith("-")]
    name = words[0] if words else None
    command = build_app(name if name in COMMANDS or name in GROUPS else None)
    try:
        code = command(standalone_mode=False)
    except KeyboardInterrupt:
        sys.exit(130)
    except OSError as exc:
        if not COMPLETION_OPTIONS & set(sys.argv[1:]):
            raise
        # typer's install writes the script and appends to the shell's rc file (~/.bashrc...)
        where = exc.filename or "the shell's start-up file"
        typer.echo(
            f"llmcost: error: cannot install shell completion: {where}: "
            f"{exc.strerror or exc} (hint: make it a writable file, or source the script "
            "'llmcost --show-completion' prints from it yourself)",
            err=True,
        )
        sys.exit(2)
    except Exception as exc:
        if not _is_cli_error(exc):
            raise
        sys.exit(_usage_error(exc))
    sys.exit(code if isinstance(code, int) else 0)


COMPLETION_OPTIONS = {"--install-completion", "--show-completion"}


def _completion_word(args: list[str]) -> str | None:
    """typer's completion options take no shell name: they detect the shell llmcost runs in,
    so `--show-completion zsh` printed bash's script when run from bash. A word after them is
    a usage error (unless typer's test switch makes them take the name)."""
    if os.environ.get("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION"):
        return None
    for option, word in itertools.pairwise(args):
        if option in COMPLETION_OPTIONS and not word.startswith("-"):
            return (
                f"llmcost: error: {option} takes no shell name ({word!r}): it detects the "
                f"shell it runs in (hint: run it from that shell, e.g. "
                f"{word} -c 'llmcost {option}')"
            )
    return None


def _usage_error(exc: Exception) -> int:
    """typer's usage errors (a missing option, an unknown command) as the same one line as
    every other bad input, instead of a boxed panel."""
    if type(exc).__name__ == "Abort":
        typer.echo("llmcost: aborted", err=True)
        return 1
    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    if not message.strip():  # `llmcost` alone: the help was the answer
        return getattr(exc, "exit_code", 2)
    context = getattr(exc, "ctx", None)
    where = context.command_path if context is not None else "llmcost"
    line = " ".join(f"llmcost: error: {message} (hint: run '{where} --help')".split())
    typer.echo(line, err=True)
    return getattr(exc, "exit_code", 2)
