"""The checks on a price file, built from the catalog's one definition (`entities`).

Humans edit these files, so every model forbids unknown keys (a typo is an error, not a silently
ignored rate), every rate is a `Decimal` (the TOML is read with `parse_float=Decimal`), and units
live in the names: `input_mtok` is a price per million input tokens.

The pydantic models here are generated from the NamedTuples in `entities` (their annotations and
`Spec`s), and `to_entities` turns a checked file back into those values generically: a new field
is declared once, in `entities`. What no single field can say (an entry's currencies agree, a
variant is a multiplier or rates) is checked by the validators below; rules that span entries
or files (overlaps, sources, aliases) live in `llmcost.catalog.load`.
"""

from __future__ import annotations

import re
import typing
from datetime import UTC, date, datetime, time
from decimal import Decimal
from types import NoneType, UnionType
from typing import Annotated, Any, Literal, Union

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, create_model
from pydantic import model_validator as _model_validator

from llmcost.catalog import entities as e
from llmcost.catalog.names import STANDARD_WORDS

_HOURS = re.compile(r"^(\d\d):(\d\d)-(\d\d):(\d\d)$")
_KEY_PATTERNS = {e.RateSet: r"^[A-Z]{3}$", e.Variant: e.TIER_NAME}


def _as_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+05:00: in UTC it would be year 0
        raise ValueError("the instant in UTC is outside the years 1 to 9999") from None


UtcInstant = Annotated[AwareDatetime, AfterValidator(_as_utc)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# -- checks no single field can make ------------------------------------------------------------


def parse_hours(text: str) -> e.HourRange:
    """`01:00-04:00` (UTC) as an `HourRange`; `-24:00` is midnight at the end of the day."""
    match = _HOURS.match(text)
    if not match:
        raise ValueError(f"hours {text!r} must look like '01:00-04:00' (UTC)")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h2 == 24 and m2 == 0:
        h2, m2 = 0, 0
    if not (0 <= h1 < 24 and 0 <= m1 < 60 and 0 <= h2 < 24 and 0 <= m2 < 60):
        raise ValueError(f"hours {text!r} are not times of day")
    start, end = time(h1, m1), time(h2, m2)
    if end != time(0, 0) and end <= start:
        raise ValueError(f"hours {text!r} must end after they start, within one UTC day")
    return e.HourRange(start=start, end=end)


def _window(value):
    for text in value.hours_utc:
        parse_hours(text)
    return value


def _same_currencies(rates: dict, parts, what: str) -> None:
    for part in parts:
        if set(part.rates) != set(rates):
            raise ValueError(f"{what} must give the same currencies as rates ({sorted(rates)})")


def _tiers_and_windows(rates: dict, tiers, windows) -> None:
    _same_currencies(rates, [*tiers, *windows], "tiers and windows")
    thresholds = [t.above_input_tokens for t in tiers]
    if thresholds != sorted(set(thresholds)):
        raise ValueError("tiers must be listed by increasing above_input_tokens, no repeats")
    if tiers and windows:
        raise ValueError("an entry has either long-context tiers or time windows, not both")


def _variant(value):
    if (value.multiplier is None) == (value.rates is None):
        raise ValueError("a service tier gives either multiplier or rates (with tiers, windows)")
    if value.multiplier is not None and (value.tiers or value.windows):
        raise ValueError("a multiplier applies to the entry's own tiers and windows; give rates")
    if value.rates is not None:
        _tiers_and_windows(value.rates, value.tiers, value.windows)
    return value


def _entry(value):
    if value.valid_until is not None and value.valid_until <= value.valid_from:
        raise ValueError("valid_until must be after valid_from")
    _tiers_and_windows(value.rates, value.tiers, value.windows)
    for name, variant in value.variants.items():
        if name in STANDARD_WORDS:  # `--tier default` is standard: such a variant is unreachable
            raise ValueError(f"variants: {name!r} is the standard tier, the entry's own rates")
        if variant.rates is not None and set(variant.rates) != set(value.rates):
            raise ValueError(
                f"variants.{name} must give the same currencies as rates ({sorted(value.rates)})"
            )
    return value


def _discount(value):
    if value.valid_until is not None and value.valid_until <= value.valid_from:
        raise ValueError("valid_until must be after valid_from")
    for tier in value.tiers:  # a misspelt tier would make the discount apply to nothing
        if not re.fullmatch(e.TIER_NAME, tier) or (tier != e.STANDARD and tier in STANDARD_WORDS):
            raise ValueError(f"tiers: {tier!r} is not a service tier as the catalog names it")
    named = [k for k in ("provider", "model", "offering") if getattr(value, k) is not None]
    if len(named) != 1:
        raise ValueError("a discount names exactly one of provider, model or offering")
    return value


def _hour_ranges(values: dict) -> dict:
    return {**values, "ranges": tuple(parse_hours(text) for text in values["hours_utc"])}


CHECKS = {e.Window: _window, e.Variant: _variant, e.PriceEntry: _entry, e.Discount: _discount}
DERIVE = {e.Window: _hour_ranges}


# -- pydantic models from the entities -------------------------------------------------------


_MODELS: dict[type, type[BaseModel]] = {}


def model_for(cls: type) -> type[BaseModel]:
    """The pydantic model checking what a file may say for entity class `cls`."""
    if cls in _MODELS:
        return _MODELS[cls]
    hints = typing.get_type_hints(cls, include_extras=True)
    fields: dict[str, Any] = {}
    for name in cls._fields:
        annotation, spec = _unwrap(hints[name])
        if spec.internal or spec.derived:
            continue
        required = name not in cls._field_defaults
        default = ... if required else cls._field_defaults[name]
        fields[name] = (_pydantic_type(annotation, spec), _field(spec, default))
    check = CHECKS.get(cls)
    validators = {}
    if check is not None:
        validators["_check"] = _model_validator(mode="after")(lambda self: check(self))
    model = create_model(
        cls.__name__, __base__=_Strict, __doc__=cls.__doc__, __validators__=validators, **fields
    )
    _MODELS[cls] = model
    return model


def _unwrap(annotation) -> tuple[Any, e.Spec]:
    """An annotation without its `Spec`, and the spec (`Rate | None` carries it inside)."""
    if typing.get_origin(annotation) is Annotated:
        base, *extras = typing.get_args(annotation)
        spec = next((x for x in extras if isinstance(x, e.Spec)), e.Spec())
        return base, spec
    if typing.get_origin(annotation) in (Union, UnionType):
        parts = [_unwrap(a) for a in typing.get_args(annotation)]
        spec = next((s for _, s in parts if s != e.Spec()), e.Spec())
        return Union[tuple(a for a, _ in parts)], spec  # noqa: UP007
    return annotation, e.Spec()


def _field(spec: e.Spec, default):
    kwargs = {
        key: value
        for key, value in (
            ("ge", spec.ge),
            ("gt", spec.gt),
            ("le", spec.le),
            ("pattern", spec.pattern),
            ("decimal_places", spec.places),
            ("min_length", spec.min_length),
            ("description", spec.doc or None),
        )
        if value is not None
    }
    if isinstance(default, tuple | dict):
        return Field(default_factory=lambda: type(default)(default), **kwargs)
    return Field(default, **kwargs)


def _pydantic_type(annotation, spec: e.Spec):
    """The pydantic type for an entity annotation; bounds go on the innermost value."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (Union, UnionType):
        inner = [a for a in args if a is not NoneType]
        base = _pydantic_type(inner[0], spec) if len(inner) == 1 else annotation
        return base | None if NoneType in args else base
    if origin is tuple:
        return list[_pydantic_type(*_unwrap(args[0]))]
    if origin is dict:
        value = _unwrap(args[1])[0]
        key = Annotated[str, Field(pattern=_KEY_PATTERNS[value])] if value in _KEY_PATTERNS else str
        return dict[key, _pydantic_type(value, e.Spec())]
    if origin is Literal:
        return annotation
    if isinstance(annotation, type) and hasattr(annotation, "_fields"):
        return model_for(annotation)
    if annotation is Decimal:
        return Annotated[Decimal, Field(allow_inf_nan=False)]
    if annotation is datetime:
        return UtcInstant
    if annotation in (int, str, date, bool):
        return annotation
    raise TypeError(f"no schema for {annotation!r}")  # a new kind of field in entities


ProviderFile = model_for(e.Provider)
RateSet = model_for(e.RateSet)


# -- back to the entities ------------------------------------------------------------------------


def to_entity(cls: type, value: BaseModel):
    """A checked pydantic value as the entity `cls` (recursively)."""
    hints = typing.get_type_hints(cls, include_extras=True)
    values = {}
    for name in cls._fields:
        annotation, spec = _unwrap(hints[name])
        if spec.internal or spec.derived:
            continue
        values[name] = _convert(annotation, getattr(value, name))
    derive = DERIVE.get(cls)
    return cls(**(derive(values) if derive else values))


def _convert(annotation, value):
    if value is None:
        return None
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (Union, UnionType):
        inner = next(a for a in args if a is not NoneType)
        return _convert(_unwrap(inner)[0], value)
    if origin is tuple:
        return tuple(_convert(_unwrap(args[0])[0], v) for v in value)
    if origin is dict:
        return {k: _convert(_unwrap(args[1])[0], v) for k, v in value.items()}
    if isinstance(annotation, type) and hasattr(annotation, "_fields"):
        return to_entity(annotation, value)
    return value


def to_entities(provider: BaseModel) -> e.Provider:
    """The validated file as `llmcost.catalog.entities` values."""
    return to_entity(e.Provider, provider)
