"""The loaded catalog and the bitemporal lookup rule.

Rates of model `m` at instant `t` under catalog version `K` (a day): among `m`'s entries
published on or before `K` whose valid time contains `t`, the one published last wins; on a tie
the later one in the file. So an extended promo, a price made permanent or an erratum is a new
entry, and `known=date(2026, 5, 3)` reproduces what was known that day.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from llmcost.catalog.entities import Model, PriceEntry, Provider
from llmcost.catalog.names import normalize
from llmcost.errors import InputError, NotPriced, UnknownModel
from llmcost.timeparse import show_instant, utc


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """A model with where it came from: its provider and file."""

    model: Model
    provider: str
    file: Path

    @property
    def id(self) -> str:
        return self.model.id


class Catalog:
    """Every model of every provider file, indexed for lookups. Immutable once built."""

    def __init__(self, providers: Sequence[tuple[Path, Provider]]):
        """`providers`: validated files as entities (a pydantic `ProviderFile` is converted)."""
        self.providers = tuple((path, _as_entity(provider)) for path, provider in providers)
        providers = self.providers
        self._models: dict[str, ModelInfo] = {}
        self._by_name: dict[str, str] = {}
        for path, provider in providers:
            for model in provider.models:
                self._models[model.id] = ModelInfo(model, provider.provider, path)
        for model_id, info in self._models.items():
            for name in (model_id, *info.model.aliases):
                self._by_name.setdefault(normalize(name), model_id)
        entries = [e for info in self._models.values() for e in info.model.prices]
        published = {e.published for e in entries}
        self.currencies: frozenset[str] = frozenset(c for e in entries for c in e.rates)
        self.versions: tuple[date, ...] = tuple(sorted(published))

    # -- models -----------------------------------------------------------------------------

    @property
    def newest(self) -> date:
        """The newest catalog version: the last day any entry was published."""
        return self.versions[-1]

    def models(self) -> list[ModelInfo]:
        return list(self._models.values())

    def info(self, model_id: str) -> ModelInfo:
        """The model with id `model_id`; any other name a user may type is resolved as the
        CLI resolves it (an unknown one is an `UnknownModel` error, never a KeyError)."""
        info = self._models.get(model_id) if isinstance(model_id, str) else None
        return info if info is not None else self.resolve(model_id)

    def resolve(self, name: str) -> ModelInfo:
        """The model a user means by `name`, or an error suggesting the closest ids."""
        if not isinstance(name, str):
            raise UnknownModel(f"{name!r} is not a model name", hint="give a model id, a str")
        model_id = self._by_name.get(normalize(name))
        if model_id is not None:
            info = self._models[model_id]
            parts = name.strip().split("/")
            prefix = parts[-2].strip().lower() if len(parts) >= 2 else ""
            providers = {provider.provider for _, provider in self.providers}
            if prefix in providers and prefix != info.provider:
                raise UnknownModel(
                    f"unknown model {name!r}: {model_id} belongs to {info.provider}",
                    hint=f"did you mean '{info.provider}/{model_id}'?",
                )
            return info
        import difflib  # only on the error path

        close = difflib.get_close_matches(normalize(name), list(self._by_name), n=3, cutoff=0.6)
        suggestions = list(dict.fromkeys(self._by_name[c] for c in close))
        hint = (
            "did you mean " + " or ".join(repr(s) for s in suggestions) + "?"
            if suggestions
            else "run 'llmcost prices' to list the models"
        )
        raise UnknownModel(f"unknown model {name!r}", hint=hint)

    # -- versions ---------------------------------------------------------------------------

    def version_for(self, known: date | None) -> date:
        """The effective catalog version as known on `known`: the newest publication day on
        or before it. `None` is the newest catalog."""
        if known is None:
            return self.newest
        known = as_day(known)
        past = [v for v in self.versions if v <= known]
        if not past:
            raise InputError(
                f"no catalog version on or before {known.isoformat()}",
                hint=f"the earliest is {self.versions[0].isoformat()}",
            )
        return past[-1]

    def entries(self, model_id: str, known: date | None = None) -> list[PriceEntry]:
        """The model's entries as known on `known`, in file order."""
        entries = self.info(model_id).model.prices
        if known is None:
            return list(entries)
        known = as_day(known)
        return [e for e in entries if e.published <= known]

    # -- prices -----------------------------------------------------------------------------

    def entry_at(self, model_id: str, at: datetime, known: date | None = None) -> PriceEntry | None:
        """The bitemporal rule itself; `None` when no entry covers `at`."""
        at = utc(at)
        best: PriceEntry | None = None
        for entry in self.entries(model_id, known):
            if entry.contains(at) and (best is None or entry.published >= best.published):
                best = entry
        return best

    def price_at(
        self, model_id: str, at: datetime, known: date | None = None, currency: str = "USD"
    ) -> PriceEntry:
        """The entry pricing `model_id` at `at` in `currency`, or an error saying why there is
        none (not yet released, retired, not priced in that currency)."""
        at = utc(at)
        model = self.info(model_id).model
        if model.retired is not None and at >= model.retired:
            hint = f"use its successor {model.successor!r}" if model.successor else None
            raise NotPriced(
                f"{model.id} was retired at {show_instant(model.retired)}",
                hint=hint,
            )
        entry = self.entry_at(model_id, at, known)
        if entry is None:
            if at < model.released:
                raise NotPriced(
                    f"{model.id} was not released until {show_instant(model.released)}",
                    hint="price it at a later instant with --at or --month",
                )
            raise NotPriced(
                f"{model.id} has no price at {show_instant(at)} in the catalog as known on "
                f"{self.version_for(known).isoformat()}",
                hint="see 'llmcost prices --history " + model.id + "'",
            )
        if currency not in entry.rates:
            raise NotPriced(
                f"{model.id} has no {currency} price at {show_instant(at)}",
                hint="its prices there are in " + ", ".join(sorted(entry.rates)),
            )
        return entry

    def bounds(self, model_id: str, known: date | None = None) -> list[datetime]:
        """Every instant at which the price of `model_id` may change, sorted: the edges of
        its entries' valid times (as known on `known`), its release and its retirement."""
        model = self.info(model_id).model
        points: set[datetime] = {model.released}
        if model.retired is not None:
            points.add(model.retired)
        for entry in self.entries(model_id, known):
            points.add(entry.valid_from)
            if entry.valid_until is not None:
                points.add(entry.valid_until)
        return sorted(points)

    def change_points(
        self, model_id: str, start: datetime, end: datetime, known: date | None = None
    ) -> list[datetime]:
        """Instants strictly inside `(start, end)` where the winning entry may change."""
        start, end = utc(start), utc(end)
        return [p for p in self.bounds(model_id, known) if start < p < end]

    def available(
        self, at: datetime, known: date | None = None, currency: str = "USD"
    ) -> Iterable[ModelInfo]:
        """The models that have a price in `currency` at `at`."""
        at = utc(at)
        for info in self._models.values():
            model = info.model
            if model.retired is not None and at >= model.retired:
                continue
            entry = self.entry_at(model.id, at, known)
            if entry is not None and currency in entry.rates:
                yield info


def as_day(known: date | datetime | str) -> date:
    """A catalog version as the Python API may pass it: a date, a datetime (its UTC day) or
    the text `--catalog` takes (`2026-05-03`); anything else is an error, not a TypeError."""
    from llmcost.timeparse import day

    if isinstance(known, datetime):
        return utc(known).date()
    if isinstance(known, date):
        return known
    if isinstance(known, str):
        return day(known, field="known")
    raise InputError(f"known: {known!r} is not a day", hint="give a date or YYYY-MM-DD")


def _as_entity(provider) -> Provider:
    if isinstance(provider, Provider):
        return provider
    from llmcost.catalog.schema import to_entities

    return to_entities(provider)
