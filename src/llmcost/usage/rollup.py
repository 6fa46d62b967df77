"""A bill regrouped by fewer keys, without reading the logs again.

`bill --format html` prices the logs once, grouped by day and by the chart's series as well
as by the user's `--group-by`, then rolls that bill up twice: by day and series for the chart,
by the user's keys for the table. Group costs are exact sums (`money.EXACT`), so the rolled-up
bill is the bill a run grouped by `keys` alone gives, to the last digit (the tests compare).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from llmcost.engine import CostBreakdown
from llmcost.money import EXACT
from llmcost.usage.bill import COST_KINDS, TOKEN_KINDS, Bill, GroupTotal

DAY_KEYS = ("day", "week", "month")


def chart_keys(group_by: Sequence[str]) -> tuple[str, ...]:
    """What a cost-per-day chart stacks its bars by: the `--group-by` keys other than the
    day and month, or the model when there are none; a key given twice is one key, as the
    table has it."""
    return tuple(dict.fromkeys(k for k in group_by if k not in DAY_KEYS)) or ("model",)


def with_days(group_by: Sequence[str]) -> tuple[str, ...]:
    """The keys to price by so that both the user's table and the daily chart can be rolled
    up from one bill: the user's keys, then the day and the chart's keys they lack."""
    keys = tuple(group_by)
    return keys + tuple(k for k in ("day", *chart_keys(keys)) if k not in keys)


def roll_up(result: Bill, keys: Sequence[str]) -> Bill:
    """`result` grouped by `keys`, each one of its own group keys: records, tokens and costs
    of the groups that share the values of `keys` summed exactly."""
    keys = tuple(dict.fromkeys(keys))  # -g user,user is one key, as the bill has it
    missing = [k for k in keys if k not in result.group_by]
    if missing:
        raise ValueError(f"roll_up: {missing} not among the bill's keys {result.group_by}")
    if keys == result.group_by:
        return result
    totals: dict[tuple, list] = {}
    for group in result.groups:
        key = tuple(group.keys[k] for k in keys)
        slot = totals.setdefault(key, [0, dict.fromkeys(TOKEN_KINDS, 0), [Decimal(0)] * 4])
        slot[0] += group.records
        for kind in TOKEN_KINDS:
            slot[1][kind] += group.tokens[kind]
        parts = [getattr(group.cost, kind) for kind in COST_KINDS]
        slot[2] = [EXACT.add(a, b) for a, b in zip(slot[2], parts, strict=True)]
    ordered = sorted(totals.items(), key=lambda kv: tuple((v is None, v or "") for v in kv[0]))
    groups = tuple(
        GroupTotal(
            dict(zip(keys, key, strict=True)),
            records,
            tokens,
            CostBreakdown(result.currency, *costs),
        )
        for key, (records, tokens, costs) in ordered
    )
    absent = tuple(k for k in result.absent_keys if k in keys)
    return replace(result, group_by=keys, groups=groups, absent_keys=absent)
