"""The errors a user can cause, and how they are worded.

Every error raised on bad input is a `LlmcostError`: the CLI turns it into one line on stderr
and exit code 2 in one place (`llmcost.cli.app`), so no command formats errors of its own.
"""

from __future__ import annotations


class LlmcostError(Exception):
    """Bad input: an unknown model, an invalid file, an impossible request.

    `where` names the file, line and field when there is one; `hint` says what to do.
    """

    exit_code = 2

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint

    def one_line(self) -> str:
        """The whole error as the single line the CLI prints."""
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text += f" (hint: {self.hint})"
        return " ".join(text.split())


class CatalogError(LlmcostError):
    """The price catalog is malformed or breaks a validation rule."""


class UnknownModel(LlmcostError):
    """A model name that resolves to nothing in the catalog."""


class NotPriced(LlmcostError):
    """A known model with no price at the instant asked for (not yet released, retired, or no
    rate in the currency asked for)."""


class TooLarge(NotPriced):
    """A workload the model cannot take: a prompt over its context window or an output over
    its maximum. No price applies to a request the provider would refuse."""


class InputError(LlmcostError):
    """A malformed command-line value: a token count, an instant, a month, a share."""
