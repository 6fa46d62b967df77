"""The fields the files people write share (mix files, budget files): numbers written as numbers,
counts with their bounds, and values written back as TOML.

Imported only with a file's schema: pydantic's validators are costly to build.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator, Field


def count_field(description: str):
    """A token or request count: a non-negative number, up to 10^15 and 12 decimals."""
    return Field(
        default=None, ge=0, le=10**15, decimal_places=12, allow_inf_nan=False,
        description=description,
    )  # fmt: skip


def unquoted(value):
    """A number in a TOML file is written as one: `limit = "1000"` or `input = true` is a
    mistake to point at, not a value to convert."""
    if isinstance(value, str | bool):
        raise ValueError(f"{value!r} is not a number: write it without quotes, e.g. 1000")
    return value


Number = Annotated[Decimal, BeforeValidator(unquoted)]


def tomlable(value):
    """Decimals as TOML integers where whole, else TOML floats written from their exact text."""
    if isinstance(value, dict):
        return {k: tomlable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [tomlable(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else value
    return value
