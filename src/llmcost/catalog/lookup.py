"""The loaded catalog: offerings in layers, names, and the bitemporal lookup rule.

An **offering** is a model as one provider bills it; its key is the model's id at its maker
(`gpt-5.5`) or `provider/id` at any other provider (`openrouter/deepseek/deepseek-v4-pro`).

Layers, lowest first: the shipped catalog (or `--catalog PATH`), updates, the user's overlays.
A higher layer adds providers and offerings, adds price entries to an offering of a lower one
(after its own, so it wins ties) and gives discounts.

Rates of offering `o` at instant `t` under catalog version `K` (a day): among `o`'s entries
published on or before `K` whose valid time contains `t`, the one published last wins; on a tie
the later one (in file order, higher layers after lower). So an extended promo, a price made
permanent or an erratum is a new entry, and `known=date(2026, 5, 3)` reproduces what was known
that day. The winner is then billed in the service tier asked for, less the most specific
discount in force (offering, then model, then provider; the later published on a tie).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from llmcost.catalog.entities import STANDARD, Discount, Model, PriceEntry, Provider, scaled
from llmcost.catalog.names import MAX_UNKNOWN_PREFIXES, fold
from llmcost.errors import InputError, NotPriced, UnknownModel
from llmcost.timeparse import show_instant, utc

SHIPPED = "shipped"


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """An offering with where it came from: the provider that bills it, its file and layer."""

    key: str
    model: Model
    provider: str
    file: Path
    layer: str = SHIPPED

    @property
    def id(self) -> str:
        return self.key

    @property
    def first_party(self) -> bool:
        """Offered by the model's own maker."""
        return self.model.maker is None or self.model.maker == self.provider


def offering_key(provider: str, model: Model) -> str:
    """`id` at the model's maker, `provider/id` anywhere else."""
    if model.maker is None or model.maker == provider:
        return model.id
    return f"{provider}/{model.id}"


Layer = tuple[str, Sequence[tuple[Path, Provider]]]


def canonical_providers(layers) -> dict[tuple[int, str], str]:
    """(layer number, provider id a file declares) -> the provider it is: a file whose
    `provider` is an alias that a file of its layer or one below declares (LiteLLM's `xai`
    laid over genai-prices' `x-ai`) adds to that provider. An alias never takes over a
    provider of a lower layer (that is refused as one spelling naming two providers)."""
    alias_of: dict[str, tuple[int, str]] = {}
    for number, (_, files) in enumerate(layers):
        for _, p in files:
            if p.provider is not None:
                for alias in p.aliases:
                    alias_of.setdefault(fold(alias), (number, p.provider))

    def canonical(number: int, pid: str) -> str:
        declared, other = alias_of.get(fold(pid), (number, pid))
        if declared > number:
            return pid
        back = alias_of.get(fold(other))
        return pid if back is not None and back[1] == pid else other  # mutual: neither wins

    return {
        (number, p.provider): canonical(number, p.provider)
        for number, (_, files) in enumerate(layers)
        for _, p in files
        if p.provider is not None
    }


class Catalog:
    """Every offering of every layer, indexed for lookups. Immutable once built."""

    def __init__(self, layers: Sequence[Layer] | Sequence[tuple[Path, Provider]]):
        """`layers`: (name, validated files as entities) lowest first; a plain list of files
        is one shipped layer (a pydantic `ProviderFile` is converted)."""
        if layers and not isinstance(layers[0][0], str):
            layers = [(SHIPPED, layers)]
        self.layers: tuple[tuple[str, tuple[tuple[Path, Provider], ...]], ...] = tuple(
            (name, tuple((path, _as_entity(p)) for path, p in files)) for name, files in layers
        )
        self._models: dict[str, ModelInfo] = {}
        self._provider_of: dict[str, str] = {}  # folded provider names and aliases -> id
        self.provider_names: dict[str, str] = {}  # id -> display name
        self.discounts: tuple[Discount, ...] = ()
        canonical = canonical_providers(self.layers)
        for number, (layer, files) in enumerate(self.layers):
            for path, provider in files:
                if provider.provider is not None:
                    provider = provider._replace(provider=canonical[number, provider.provider])
                self._add(layer, path, provider)
        self._index_names()
        self._left_out_files = self._left_out_lists()
        self._discount_keys = {
            d.offering: self.resolve(d.offering).key for d in self.discounts if d.offering
        }
        self._index_versions()

    def _left_out_lists(self) -> tuple[str, ...]:
        """Where the base layer's generator listed the peer names it left out (read only on
        the unknown-model error path: `_left_out`)."""
        if not self.layers:
            return ()
        folders = dict.fromkeys(path.parent / LEFT_OUT for path, _ in self.layers[0][1])
        return tuple(str(f) for f in folders if f.is_file())

    def _index_versions(self) -> None:
        """The catalog versions (publication days), currencies and how current it is."""
        entries = [e for info in self._models.values() for e in info.model.prices]
        published = {e.published for e in entries} | {d.published for d in self.discounts}
        self.currencies: frozenset[str] = frozenset(c for e in entries for c in e.rates)
        self.versions: tuple[date, ...] = tuple(sorted(published))
        # how current the public prices are: the user's overlays say nothing of it
        public = [e.published for e in entries if not e.layer.startswith("overlay ")]
        self.public_newest: date | None = max(public, default=None)

    # -- the validated-catalog cache (`load`) ---------------------------------------------------

    def cache_state(self) -> bytes:
        """This catalog as `load` caches it: its indexes whole, but each offering, the files
        and the name indexes apart, unpickled when first used, so that a command naming two
        offerings of the market's thousands reads two (bench/startup.py). The bytes: the
        length of the head, the head (the indexes, and where each value apart lies), then the
        values apart one after another; reading the head leaves them as they are."""
        parts: list[bytes] = []
        size = 0

        def apart(value) -> tuple[int, int]:
            nonlocal size
            data = _dumps(value)
            parts.append(data)
            size += len(data)
            return size - len(data), len(data)

        state = dict(vars(self))
        state["_models"] = _Lazy(
            {
                k: apart((i.key, i.model, i.provider, str(i.file), i.layer))
                for k, i in self._models.items()
            }
        )
        state["layers"] = _LazyTuple(apart(self.layers))
        state["_names"] = _LazyMap(apart(self._names))  # an exact key needs no name index
        state["_by_provider"] = _LazyMap(apart(self._by_provider))
        head = _dumps((size, state))
        return b"".join([len(head).to_bytes(8, "little"), head, *parts])

    @classmethod
    def from_cache_state(cls, data: bytes) -> Catalog:
        view = memoryview(data)
        length = int.from_bytes(view[:8], "little")
        size, state = _loads(view[8 : 8 + length])
        if len(view) != 8 + length + size:
            raise ValueError("the cached catalog is cut short")  # `load` validates afresh
        for name in ("_models", "layers", "_names", "_by_provider"):
            state[name].blobs = view[8 + length :]
        catalog = cls.__new__(cls)
        catalog.__dict__.update(state)
        return catalog

    @property
    def providers(self) -> tuple[tuple[Path, Provider], ...]:
        """Every file of every layer."""
        return tuple(pair for _, files in self.layers for pair in files)

    def _add(self, layer: str, path: Path, provider: Provider) -> None:
        tagged = [d._replace(layer=layer) for d in provider.discounts]
        self.discounts = (*self.discounts, *tagged)
        if provider.provider is None:
            return
        pid = provider.provider
        if provider.name is not None or pid not in self.provider_names:
            self.provider_names[pid] = provider.name or pid
        for name in (pid, *provider.aliases):
            self._provider_of.setdefault(fold(name), pid)
        for model in provider.models:
            model = model._replace(prices=tuple(p._replace(layer=layer) for p in model.prices))
            key = offering_key(pid, model)
            old = self._models.get(key)
            if old is not None:  # a higher layer adds prices and names to an offering
                model = old.model._replace(
                    prices=old.model.prices + model.prices,
                    aliases=tuple(dict.fromkeys(old.model.aliases + model.aliases)),
                )
                self._models[key] = ModelInfo(key, model, pid, old.file, old.layer)
            else:
                self._models[key] = ModelInfo(key, model, pid, path, layer)

    def _index_names(self) -> None:
        self._names: dict[str, list[str]] = {}  # folded name -> offering keys carrying it
        self._by_provider: dict[str, dict[str, str]] = {}  # provider -> folded name -> key
        for key, info in self._models.items():
            own = self._by_provider.setdefault(info.provider, {})
            for name in names_of(info):
                folded = fold(name)
                keys = self._names.setdefault(folded, [])
                if key not in keys:
                    keys.append(key)
                own.setdefault(folded, key)
        # names more than one offering carries: those `resolve` must weigh (`_pick`)
        self._shared = frozenset(name for name, keys in self._names.items() if len(keys) > 1)
        # of those, the names more than one maker's own offering carries: `_pick` finds them
        # ambiguous; any other shared name that is a maker's key means that offering
        self._contested = frozenset(
            name
            for name in self._shared
            if sum(self._models[k].first_party for k in self._names[name]) > 1
        )

    # -- offerings ------------------------------------------------------------------------------

    @property
    def newest(self) -> date:
        """The newest catalog version: the last day any entry was published."""
        return self.versions[-1]

    def models(self) -> list[ModelInfo]:
        return list(self._models.values())

    def info(self, key: str) -> ModelInfo:
        """The offering with key `key`; any other name a user may type is resolved as the
        CLI resolves it (an unknown one is an `UnknownModel` error, never a KeyError)."""
        info = self._models.get(key) if isinstance(key, str) else None
        return info if info is not None else self.resolve(key)

    def provider_spellings(self) -> list[tuple[str, str]]:
        """Every folded provider name and alias, with the provider it means."""
        return list(self._provider_of.items())

    def provider_id(self, name: str) -> str | None:
        """The provider a name or alias (`vertex_ai`, `Bedrock`) means, if any."""
        return self._provider_of.get(fold(name))

    def resolve(self, name: str) -> ModelInfo:
        """The offering a user means by `name`, or an error saying why there is none.

        `provider/name` means that provider's offering (an error if it has none); a bare name,
        the maker's own offering, or the only offering carrying it. An unknown prefix
        (`models/`, a gateway llmcost does not know) is passed over, up to
        `MAX_UNKNOWN_PREFIXES` of them (as `bill`'s SQL does), never an empty one.
        """
        return self._resolve(name, MAX_UNKNOWN_PREFIXES)

    def _resolve(self, name: str, unknown_prefixes: int) -> ModelInfo:
        if not isinstance(name, str):
            raise UnknownModel(f"{name!r} is not a model name", hint="give a model id, a str")
        if not name.strip():
            raise UnknownModel(f"unknown model {name!r}", hint="give a model name")
        if "/" not in name and name in self._models and fold(name) not in self._contested:
            # a key as written is a maker's (a host's has "/"): where no other maker's
            # offering carries the name, `_pick` would choose it among the hosts' offerings
            # too, and the name index need not be read
            return self._models[name]
        folded = fold(name)
        head, _, rest = folded.partition("/")
        provider = self._provider_of.get(head) if rest else None
        if provider is not None:
            key = self._by_provider.get(provider, {}).get(rest)
            if key is not None:
                return self._models[key]
        if folded in self._names:
            return self._pick(name, self._names[folded])
        if provider is not None:
            raise self._not_offered(name, provider, rest)
        if rest and head and unknown_prefixes > 0:
            try:
                return self._resolve(rest, unknown_prefixes - 1)
            except UnknownModel:
                pass
        raise self._unknown(name)

    def _pick(self, name: str, keys: list[str]) -> ModelInfo:
        infos = [self._models[k] for k in keys]
        if len(infos) == 1:
            return infos[0]
        makers = [i for i in infos if i.first_party]
        if len(makers) == 1:
            return makers[0]
        listed = ", ".join(sorted(i.key for i in infos)[:8])
        raise UnknownModel(
            f"{name!r} is ambiguous: {len(infos)} offerings carry that name ({listed})",
            hint="name one as provider/model",
        )

    def _not_offered(self, name: str, provider: str, rest: str) -> UnknownModel:
        try:
            other = self.resolve(rest)
        except UnknownModel:
            other = None
        mean = f"did you mean '{other.provider}/{other.model.id}'?" if other else None
        why = self._left_out(name, f"{provider}/{rest}")
        if why is not None:  # a peer prices it under this name: say why it is not here
            return UnknownModel(f"unknown model {name!r}: {why}", hint=mean or LEFT_OUT_HINT)
        if other is not None:
            return UnknownModel(
                f"unknown model {name!r}: {provider} does not offer it; {other.key} belongs to "
                f"{other.provider}",
                hint=mean,
            )
        where = sorted(self._names.get(rest, []))
        hint = (
            "it is offered as " + " or ".join(repr(k) for k in where[:5])
            if where
            else f"run 'llmcost prices' to list {provider}'s offerings"
        )
        return UnknownModel(f"unknown model {name!r}: {provider} does not offer it", hint=hint)

    def _left_out(self, *names: str) -> str | None:
        """Why the catalog's generator left out a peer's name, if it did (`LEFT_OUT.tsv`
        beside the base layer's generated files): a name a peer prices is not simply
        unknown."""
        for file in getattr(self, "_left_out_files", ()):
            table = _left_out_table(file)
            for name in names:
                found = table.get(fold(name))
                if found is not None:
                    return f"{found[0]} prices it, but it was not imported: {found[1]}"
        return None

    def _unknown(self, name: str) -> UnknownModel:
        why = self._left_out(name)
        if why is not None:  # a peer prices it under this name: say why it is not here
            return UnknownModel(f"unknown model {name!r}: {why}", hint=LEFT_OUT_HINT)
        import difflib  # only on the error path

        folded = fold(name)
        close = difflib.get_close_matches(folded, list(self._names), n=3, cutoff=0.6)
        # A close name's maker's offering (a bare key) before any host's, as a bare name resolves.
        suggestions = list(
            dict.fromkeys(min(self._names[c], key=lambda k: ("/" in k, k)) for c in close)
        )
        hint = (
            "did you mean " + " or ".join(repr(s) for s in suggestions) + "?"
            if suggestions
            else "run 'llmcost prices' to list the models"
        )
        return UnknownModel(f"unknown model {name!r}", hint=hint)

    def offerings_of(self, info: ModelInfo) -> list[ModelInfo]:
        """Every offering of the same model (by its maker's id)."""
        base = info.model.model or info.key
        return [i for i in self._models.values() if (i.model.model or i.key) == base]

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
        """The offering's entries as known on `known`, in file order (layers in order)."""
        entries = self.info(model_id).model.prices
        if known is None:
            return list(entries)
        known = as_day(known)
        return [e for e in entries if e.published <= known]

    # -- prices -----------------------------------------------------------------------------

    def entry_at(self, model_id: str, at: datetime, known: date | None = None) -> PriceEntry | None:
        """The bitemporal rule itself (standard tier, no discount); `None` when no entry
        covers `at`."""
        return self._entry_at(self.info(model_id), utc(at), known)

    def _entry_at(self, info: ModelInfo, at: datetime, known: date | None) -> PriceEntry | None:
        known = None if known is None else as_day(known)
        best: PriceEntry | None = None
        for entry in info.model.prices:
            if known is not None and entry.published > known:
                continue
            if entry.contains(at) and (best is None or entry.published >= best.published):
                best = entry
        return best

    def priced_entry(
        self, model_id: str, at: datetime, known: date | None = None, tier: str = STANDARD
    ) -> PriceEntry | None:
        """The winning entry as billed in `tier`, less the discount in force; None where no
        entry covers `at` or it does not sell `tier`."""
        info, at = self.info(model_id), utc(at)
        entry = self._entry_at(info, at, known)
        return None if entry is None else self._billed(info, entry, at, known, tier)

    def _billed(
        self, info: ModelInfo, entry: PriceEntry, at: datetime, known: date | None, tier: str
    ) -> PriceEntry | None:
        """`entry` as billed in `tier`, less the discount in force (None: no such tier)."""
        billed = entry.for_tier(tier)
        if billed is None:
            return None
        discount = self.discount_at(info, at, known, tier) if self.discounts else None
        if discount is None:
            return billed
        keep = Decimal(1) - discount.off
        return billed._replace(
            rates=scaled(billed.rates, keep),
            tiers=tuple(t._replace(rates=scaled(t.rates, keep)) for t in billed.tiers),
            windows=tuple(w._replace(rates=scaled(w.rates, keep)) for w in billed.windows),
            discount=discount,
        )

    def discount_at(
        self, info: ModelInfo, at: datetime, known: date | None, tier: str
    ) -> Discount | None:
        """The discount on `info` at `at` in `tier`: the most specific one in force."""
        best, best_rank = None, 0
        for discount in self.discounts:
            if known is not None and discount.published > known:
                continue
            if not discount.contains(at) or (discount.tiers and tier not in discount.tiers):
                continue
            rank = self._discount_rank(discount, info)
            if rank and (
                rank > best_rank or (rank == best_rank and discount.published >= best.published)
            ):
                best, best_rank = discount, rank
        return best

    def _discount_rank(self, discount: Discount, info: ModelInfo) -> int:
        """3: it names this offering; 2: its model; 1: its provider; 0: not this offering."""
        if discount.offering is not None:
            return 3 if self._discount_keys[discount.offering] == info.key else 0
        if discount.model is not None:
            return 2 if fold(discount.model) == fold(info.model.model or info.key) else 0
        return 1 if self.provider_id(discount.provider or "") == info.provider else 0

    def price_at(
        self,
        model_id: str,
        at: datetime,
        known: date | None = None,
        currency: str = "USD",
        tier: str = STANDARD,
    ) -> PriceEntry:
        """The entry pricing `model_id` at `at` in `currency` and `tier`, or an error saying
        why there is none (not yet released, retired, no such tier or currency)."""
        at = utc(at)
        info = self.info(model_id)
        model = info.model
        if model.retired is not None and at >= model.retired:
            hint = f"use its successor {model.successor!r}" if model.successor else None
            raise NotPriced(f"{info.key} was retired at {show_instant(model.retired)}", hint=hint)
        entry = self._entry_at(info, at, known)
        if entry is None:
            if model.released is not None and at < model.released:
                raise NotPriced(
                    f"{info.key} was not released until {show_instant(model.released)}",
                    hint="it has prices from that instant on",
                )
            raise NotPriced(
                f"{info.key} has no price at {show_instant(at)} in the catalog as known on "
                f"{self.version_for(known).isoformat()}",
                hint="see 'llmcost prices --history " + info.key + "'",
            )
        billed = self._billed(info, entry, at, known, tier)
        if billed is None:
            raise NotPriced(
                f"{info.key} has no {tier} price at {show_instant(at)}",
                hint="its service tiers there: " + ", ".join(entry.service_tiers),
            )
        if currency not in billed.rates:
            raise NotPriced(
                f"{info.key} has no {currency} price at {show_instant(at)}",
                hint="its prices there are in " + ", ".join(sorted(billed.rates)),
            )
        return billed

    def bounds(self, model_id: str, known: date | None = None) -> list[datetime]:
        """Every instant at which the price of `model_id` may change, sorted: the edges of
        its entries' valid times (as known on `known`), of the discounts that may apply to
        it, its release and its retirement."""
        info = self.info(model_id)
        model = info.model
        points: set[datetime] = set()
        if model.released is not None:
            points.add(model.released)
        if model.retired is not None:
            points.add(model.retired)
        for entry in self.entries(info.key, known):
            points.add(entry.valid_from)
            if entry.valid_until is not None:
                points.add(entry.valid_until)
        for discount in self.discounts:
            if (known is None or discount.published <= known) and self._discount_rank(
                discount, info
            ):
                points.add(discount.valid_from)
                if discount.valid_until is not None:
                    points.add(discount.valid_until)
        return sorted(points)

    def change_points(
        self, model_id: str, start: datetime, end: datetime, known: date | None = None
    ) -> list[datetime]:
        """Instants strictly inside `(start, end)` where the winning entry may change."""
        start, end = utc(start), utc(end)
        return [p for p in self.bounds(model_id, known) if start < p < end]

    def available(
        self,
        at: datetime,
        known: date | None = None,
        currency: str = "USD",
        tier: str = STANDARD,
    ) -> Iterable[ModelInfo]:
        """The offerings that have a price in `currency` and `tier` at `at`."""
        at = utc(at)
        for info in self._models.values():
            model = info.model
            if model.retired is not None and at >= model.retired:
                continue
            entry = self.priced_entry(info.key, at, known, tier)
            if entry is not None and currency in entry.rates:
                yield info


def _dumps(value) -> bytes:
    import pickle

    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _loads(data):
    """pickle's C loader, without importing `pickle` itself (a millisecond a one-shot)."""
    try:
        from _pickle import loads
    except ImportError:  # an interpreter without the accelerator
        from pickle import loads
    return loads(data)


class _Lazy(Mapping):
    """Offerings by key, each unpickled the first time it is asked for from `blobs` (the
    cache's bytes), where `refs` says it lies. An offering's file is pickled as text and made
    a `Path` once per file: unpickling a `Path` for each of the market's 4,000 offerings was a
    third of the every-offering compare's reading."""

    def __init__(self, refs: dict[str, tuple[int, int]]):
        self._refs = refs
        self.blobs: memoryview | None = None  # set once the cache is read
        self._done: dict[str, ModelInfo] = {}
        self._paths: dict[str, Path] = {}

    def __getitem__(self, key: str) -> ModelInfo:
        info = self._done.get(key)
        if info is None:
            start, length = self._refs[key]
            key, model, provider, file, layer = _loads(self.blobs[start : start + length])
            path = self._paths.get(file)
            if path is None:
                path = self._paths[file] = Path(file)
            info = self._done[key] = ModelInfo(key, model, provider, path, layer)
        return info

    def __contains__(self, key: object) -> bool:
        return key in self._refs

    def __iter__(self):
        return iter(self._refs)

    def __len__(self) -> int:
        return len(self._refs)


class _Unpickled:
    """A value kept pickled until it is first used."""

    def __init__(self, ref: tuple[int, int]):
        self._ref = ref
        self.blobs: memoryview | None = None  # set once the cache is read
        self._value = None

    def _get(self):
        if self._value is None:
            start, length = self._ref
            self._value = _loads(self.blobs[start : start + length])
        return self._value


class _LazyTuple(_Unpickled, Sequence):
    """The catalog's files: `validate`, `versions` and `export` read them, a price lookup
    does not."""

    def __getitem__(self, index):
        return self._get()[index]

    def __len__(self) -> int:
        return len(self._get())


class _LazyMap(_Unpickled, Mapping):
    """The name indexes: a command that names offerings by their keys never reads them."""

    def __getitem__(self, key):
        return self._get()[key]

    def __contains__(self, key: object) -> bool:
        return key in self._get()

    def __iter__(self):
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())


LEFT_OUT = "LEFT_OUT.tsv"  # by scripts/build_market.py: folded peer name<TAB>entry<TAB>why
LEFT_OUT_HINT = "price it yourself in a --pricing file, or name an offering 'llmcost prices' lists"


@functools.cache
def _left_out_table(file: str) -> dict[str, tuple[str, str]]:
    """A generator's list of left-out peer names -> (the peer's entry, why), ~80 KB, read
    once, on an error path."""
    try:
        with open(file, encoding="utf-8") as f:
            text = f.read(1 << 20)  # bounded: the shipped one is ~80 KB
    except OSError:
        return {}
    rows = (line.split("\t") for line in text.splitlines() if not line.startswith("#"))
    return {row[0]: (row[1], row[2]) for row in rows if len(row) == 3}


def names_of(info: ModelInfo) -> tuple[str, ...]:
    """Every name an offering answers to: its key, its provider's id for it, its aliases
    (a provider's own ids, the peers' keys) and the id of the model at its maker."""
    model = info.model
    names = [info.key, model.id, *model.aliases]
    if model.model is not None:
        names.append(model.model)
    return tuple(dict.fromkeys(names))


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
