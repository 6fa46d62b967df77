"""The `llmcost` command: composes the command modules and turns errors into exit codes.

Exit codes: 0 success; 1 a check failed; 2 bad input (one line on stderr, never a traceback);
3 an internal error (a bug in llmcost: also one line, asking for a report).
"""

from __future__ import annotations

import sys

import typer
from typer.core import TyperGroup

from llmcost.cli import bill, budget, catalog, compare, prices, simulate
from llmcost.errors import LlmcostError

INTERNAL_ERROR = 3


class _Group(TyperGroup):
    """Every command runs inside this group's `invoke`: the one place errors are worded."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except LlmcostError as exc:
            typer.echo(f"llmcost: error: {exc.one_line()}", err=True)
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


app = typer.Typer(
    cls=_Group,
    name="llmcost",
    help="Exact, date-aware costs of LLM API usage from a sourced price catalog.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.command("prices")(prices.prices)
app.command("compare")(compare.compare)
app.command("simulate")(simulate.simulate)
app.command("bill")(bill.bill)
app.add_typer(catalog.app, name="catalog")
app.add_typer(budget.app, name="budget")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
