"""What a budget check hands back, always whole: a budget is either priced (`BudgetChecked`:
every field set) or it is not (`BudgetFailed`: the one-line error, and the budget where it
could be read). A check fails closed: a `BudgetFailed` is status `error`, exit 2."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from llmcost.budget.spec import Budget
from llmcost.money import EXACT

STATUSES = ("ok", "warn", "over", "error")
BREACHES = ("over", "error")  # a look-ahead that goes over, or cannot be priced


@dataclass(frozen=True, slots=True)
class PartCost:
    label: str
    model: str  # the model id, or the mix's model ids joined by "+"
    cost_min: Decimal
    cost_max: Decimal
    line: int | None
    traffic: str | None = None  # the profile its requests follow, e.g. office-hours@UTC


@dataclass(frozen=True, slots=True)
class Lookahead:
    """A scheduled change in the horizon and the budget's cost over one period after it."""

    at: datetime
    changes: tuple[str, ...]  # "deepseek-v4-pro: promo ends, list price"
    start: datetime
    end: datetime
    cost: Decimal | None
    status: str  # ok | warn | over | error (it cannot be priced after the change)
    error: str | None
    line: int | None


@dataclass(frozen=True, slots=True)
class Drift:
    """What the newest catalog would make of a pinned budget."""

    version: date
    cost: Decimal | None
    status: str
    error: str | None


@dataclass(frozen=True)
class BudgetChecked:
    """A budget priced for its period (the most expensive day of a month, for a day budget)."""

    budget: Budget
    status: str  # ok | warn | over, the look-ahead included
    current: str  # the status of the period's cost alone, before look-ahead
    start: datetime
    end: datetime
    cost: Decimal  # the maximum over a mix's splits
    cost_min: Decimal
    share: Decimal  # cost / limit
    version: date
    parts: tuple[PartCost, ...]
    lookahead: tuple[Lookahead, ...]
    drift: Drift | None  # for a pinned budget only: what the newest catalog makes of it
    strict: bool  # a look-ahead breach is `over`, not `warn`

    @property
    def file(self) -> str:
        return self.budget.file

    @property
    def name(self) -> str:
        return self.budget.name

    @property
    def pinned(self) -> bool:
        return self.budget.pinned

    @property
    def line(self) -> int | None:
        """The line of the limit, which the status is about."""
        return self.budget.lines.get("limit")

    @property
    def breach(self) -> Lookahead | None:
        """The first look-ahead that goes over or cannot be priced."""
        return next((a for a in self.lookahead if a.status in BREACHES), None)


@dataclass(frozen=True)
class BudgetFailed:
    """A budget that could not be read or priced: status `error`, with the one-line error."""

    file: str
    error: str
    line: int | None  # where the error is
    budget: Budget | None = None  # what was read of it (None: the file itself is bad)

    status = "error"

    @property
    def name(self) -> str | None:
        return self.budget.name if self.budget is not None else None


BudgetResult = BudgetChecked | BudgetFailed


def exit_code(results: Sequence[BudgetResult]) -> int:
    """2 if any budget is invalid, else 1 if any is over, else 0: a check fails closed."""
    statuses = {r.status for r in results}
    return 2 if "error" in statuses else 1 if "over" in statuses else 0


def status_of(cost: Decimal, limit: Decimal, warn_at: Decimal) -> str:
    if cost > limit:
        return "over"
    return "warn" if cost >= EXACT.multiply(limit, warn_at) else "ok"


@dataclass(frozen=True, slots=True)
class BudgetMove:
    """A budget priced under two catalog versions (its pin set aside)."""

    file: str
    old: BudgetResult
    new: BudgetResult

    @property
    def change(self) -> Decimal | None:
        """New cost minus old; None when either could not be priced."""
        if isinstance(self.old, BudgetFailed) or isinstance(self.new, BudgetFailed):
            return None
        return EXACT.subtract(self.new.cost, self.old.cost)
