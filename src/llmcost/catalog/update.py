"""`llmcost catalog update`: the peers' published prices as dated layers above the catalog.

An update layer says what llmcost learned from a peer on the day it fetched, and nothing
else, so that `--catalog DAY` still reproduces what was known on any day:

- an offering the catalog does not have is added whole, every entry published on the fetch
  day (that is when we learned of it, whatever the peer says about the past);
- an offering the catalog prices gets one entry, only if the peer's rates at the fetch
  instant (standard tier) differ from the catalog's as known that day: valid from the fetch
  day 00:00 UTC, published that day, kind `list`, its note naming the peer and the day. A
  curated price is never rewritten; a layer above outranks it from that day on only.

The layers live in `$XDG_DATA_HOME/llmcost/updates/<YYYY-MM-DD>[-N]/<format>/` (one
directory per fetch, the N-th fetch of a day as `-N`), read by `load.update_layers`. This
module never reads the clock: the fetch instant is passed in, and so is the network (`fetch`
takes an opener).
"""

from __future__ import annotations

import contextlib
import copy
import http.client
import os
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path

from llmcost.catalog import importers
from llmcost.catalog.entities import FALLBACK, RATE_FIELDS, PriceEntry, Provider, RateSet
from llmcost.catalog.lookup import Catalog, offering_key
from llmcost.catalog.names import fold
from llmcost.config import updates_root  # noqa: F401 (where the layers live, for callers)
from llmcost.errors import CatalogError, InputError

DEFAULT_SOURCES = {
    "genai-prices": "https://raw.githubusercontent.com/pydantic/genai-prices/refs/heads/main/"
    "prices/new_data/v2/data.json",
    "litellm": "https://raw.githubusercontent.com/BerriAI/litellm/main/"
    "model_prices_and_context_window.json",
}
TIMEOUT = 30.0  # seconds, for each connect and each read


# -- fetching ---------------------------------------------------------------------------------


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects to http(s) only: a server cannot point llmcost at a file or ftp."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if not newurl.lower().startswith(("https://", "http://")):
            raise urllib.error.URLError(f"redirected to a non-http(s) address {newurl!r}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def http_opener() -> urllib.request.OpenerDirector:
    """An opener for http(s) only (proxies from the environment, as urllib does)."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        _HttpOnlyRedirects(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def check_url(url: str) -> str:
    if not url.lower().startswith(("https://", "http://")) or len(url) < 10:
        raise InputError(f"{url!r} is not an http(s) address", hint="give https://...")
    return url


def fetch(
    url: str,
    *,
    timeout: float = TIMEOUT,
    opener: Callable[..., object] | None = None,
) -> bytes:
    """The body at `url`, at most `importers.MAX_BYTES`, or an `InputError` saying in one
    line why not (refused, timed out, HTTP status, too large)."""
    check_url(url)
    limit = importers.MAX_BYTES
    open_url = opener or http_opener().open
    request = urllib.request.Request(url, headers={"User-Agent": "llmcost catalog update"})
    try:
        with open_url(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length is not None and length.strip().isdigit() and int(length) > limit:
                raise _too_large(url, limit)
            data = response.read(limit + 1)
    except urllib.error.HTTPError as exc:
        raise InputError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise _timed_out(url, timeout) from None
        raise InputError(f"{url}: cannot fetch: {_reason(exc.reason)}") from None
    except TimeoutError:
        raise _timed_out(url, timeout) from None
    except (OSError, ValueError, http.client.HTTPException) as exc:
        raise InputError(f"{url}: cannot fetch: {_reason(exc)}") from None
    if len(data) > limit:
        raise _too_large(url, limit)
    return data


def _too_large(url: str, limit: int) -> InputError:
    return InputError(f"{url}: larger than {importers.size(limit)}", hint="is it the right URL?")


def _timed_out(url: str, timeout: float) -> InputError:
    return InputError(f"{url}: no answer within {timeout:g} s", hint="try again, or --timeout")


def _reason(reason: object) -> str:
    return str(getattr(reason, "strerror", None) or reason or type(reason).__name__)


# -- deciding what a fetch teaches ------------------------------------------------------------


@dataclass
class Part:
    """One peer's share of an update layer: the files to store and what it taught."""

    fmt: str
    url: str
    files: dict[str, dict] = field(default_factory=dict)  # provider id -> document
    added: list[str] = field(default_factory=list)  # new offerings, by key
    changed: list[str] = field(default_factory=list)  # known offerings with a new price
    unchanged: int = 0  # known offerings the peer prices as the catalog does
    unmapped: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Update:
    """What `store_update` did: the layer's directory (None: nothing new) and each part."""

    directory: Path | None
    parts: list[Part]

    @property
    def layer(self) -> str | None:
        return None if self.directory is None else self.directory.name


class _Known:
    """The offerings of the catalog and of the layer being built, by key and by name within
    their provider (as `load` checks names), and the keys this layer already speaks for."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.keys = {info.key: info for info in catalog.models()}
        self.names: dict[tuple[str, str], str] = {}
        for info in catalog.models():
            self.add_names(info.provider, info.key, (info.model.id, *info.model.aliases))
        self.owner = {info.key: info.provider for info in catalog.models()}  # key -> provider
        self.taken: dict[str, str] = {}  # key -> the format whose part gives it

    def add_names(self, provider: str, key: str, names) -> None:
        for name in names:
            self.names.setdefault((provider, fold(name)), key)

    def existing(self, provider: str, key: str, model) -> str | None:
        """The key of the offering this one is (by key, or by a name it shares), or None; an
        error when its names point at two offerings."""
        other = self.owner.get(key, provider)
        if other != provider:
            raise ValueError(f"{key!r} is {other}'s offering; this one names no other maker")
        if key in self.keys or key in self.taken:
            return key
        found = {self.names[(provider, fold(n))] for n in (model.id, *model.aliases)
                 if (provider, fold(n)) in self.names}  # fmt: skip
        if len(found) > 1:
            raise ValueError("its names belong to " + " and ".join(sorted(found)))
        return found.pop() if found else None


def plan_update(known: _Known, imported: importers.Imported, *, fmt: str, url: str,
                fetched_at: datetime) -> Part:  # fmt: skip
    """What a peer's converted data adds to the catalog on the fetch day (pure: `known`
    is updated with what this part adds, so a second part in the same layer does not
    repeat it)."""
    part = Part(fmt, url, unmapped=list(imported.unmapped))
    for doc_id, doc in sorted(imported.files.items()):
        provider = parse_document(f"<{fmt}>/{doc_id}.toml", doc)
        pid = known.catalog.provider_id(provider.provider) or provider.provider
        for raw, model in zip(doc.get("models", []), provider.models, strict=True):
            key = offering_key(pid, model)
            try:
                target = known.existing(pid, key, model)
            except ValueError as exc:
                part.unmapped.append((_listed(pid, key), f"not added: {exc}"))
                continue
            if target is None:
                _add_new(part, known, pid, doc, raw, model, key, fetched_at)
            elif target in known.taken:
                continue  # an earlier part of this layer already speaks for it
            else:
                _add_change(part, known, target, doc, raw, model, fetched_at)
    return part


def _listed(pid: str, key: str) -> str:
    """An offering as UNMAPPED.txt names it: always with its provider."""
    return key if key.startswith(f"{pid}/") else f"{pid}/{key}"


def parse_document(name: str, doc: dict) -> Provider:
    """A provider document as the entities `load` would read from the file `write` makes."""
    import tomli_w

    from llmcost.catalog.load import parse_provider_file

    return parse_provider_file(Path(name), tomli_w.dumps(doc, multiline_strings=False).encode())


def _add_new(part: Part, known: _Known, pid: str, doc: dict, raw: dict, model, key: str,
             fetched_at: datetime) -> None:  # fmt: skip
    """A new offering, whole, every entry published on the fetch day."""
    day = fetched_at.date()
    entries = [e._replace(published=day) for e in model.prices]
    if any(_overlap(a, b) for i, a in enumerate(entries) for b in entries[i + 1 :]):
        reason = f"its price entries overlap once all are dated {day.isoformat()}"
        part.unmapped.append(
            (_listed(pid, key), f"not added: {reason}, the day llmcost learned them")
        )
        return
    new = copy.deepcopy(raw)
    for entry in new.get("prices", []):
        entry["published"] = day
    _file(part, known, pid, doc)["models"].append(new)
    part.added.append(key)
    known.taken[key] = part.fmt
    known.owner[key] = pid
    known.add_names(pid, key, (model.id, *model.aliases))


def _add_change(part: Part, known: _Known, key: str, doc: dict, raw: dict, model,
                fetched_at: datetime) -> None:  # fmt: skip
    """One entry for a known offering whose price at the fetch instant the peer gives
    otherwise; nothing when they agree."""
    info = known.keys[key]
    if info.model.retired is not None and fetched_at >= info.model.retired:
        part.unchanged += 1
        return
    index = _current(model.prices, fetched_at)
    if index is None:
        part.unchanged += 1  # the peer has no price now: nothing learned about now
        return
    day = fetched_at.date()
    before = known.catalog.entry_at(key, fetched_at, day)
    if before is not None and same_rates(before, model.prices[index]):
        part.unchanged += 1  # the catalog and this peer agree: a later peer does not overrule
        known.taken[key] = part.fmt
        return
    lacks = _lacks(before, model.prices[index]) if before is not None else None
    if lacks:  # the peer's entry would drop what the catalog knows: not an update of it
        part.unmapped.append((_listed(info.provider, key), f"not changed: the peer's price "
                              f"differs but lacks the catalog's {lacks}"))  # fmt: skip
        known.taken[key] = part.fmt
        return
    entry = copy.deepcopy(raw["prices"][index])
    start = datetime.combine(day, time(0, 0), UTC)
    entry.update(published=day, valid_from=start, kind="list")
    entry["note"] = f"{part.fmt} data fetched {day.isoformat()} from {part.url}"
    extension = {"id": info.model.id, "prices": [entry]}
    if not info.first_party:
        extension["maker"] = info.model.maker  # part of the offering's key
    _file(part, known, info.provider, doc)["models"].append(extension)
    part.changed.append(key)
    known.taken[key] = part.fmt


def _lacks(before: PriceEntry, peer: PriceEntry) -> str | None:
    """What the catalog's entry prices that the peer's does not (currencies, peak windows,
    service tiers): taking the peer's from the fetch day would silently lose it."""
    currencies = sorted(set(before.rates) - set(peer.rates))
    if currencies:
        return "rates in " + ", ".join(currencies)
    if before.windows and not peer.windows:
        return "peak windows"
    tiers = sorted(set(before.variants) - set(peer.variants))
    if tiers:
        return "service tiers " + ", ".join(tiers)
    return None


def _file(part: Part, known: _Known, pid: str, doc: dict) -> dict:
    """The document of provider `pid` in this part: a new provider's whole header, a known
    one's id only (its name stays the curated one); the peer's sources either way."""
    if pid not in part.files:
        header = {"provider": pid}
        if pid not in known.catalog.provider_names:
            header.update({k: doc[k] for k in ("name", "aliases") if k in doc})
        header["sources"] = copy.deepcopy(doc.get("sources", {}))
        part.files[pid] = {**header, "models": []}
    else:
        part.files[pid]["sources"].update(copy.deepcopy(doc.get("sources", {})))
    return part.files[pid]


def _current(entries: Sequence[PriceEntry], at: datetime) -> int | None:
    """The index of the entry the peer prices `at` with (the bitemporal rule)."""
    best = None
    for index, entry in enumerate(entries):
        if entry.contains(at) and (best is None or entry.published >= entries[best].published):
            best = index
    return best


def _overlap(a: PriceEntry, b: PriceEntry) -> bool:
    return (b.valid_until is None or a.valid_from < b.valid_until) and (
        a.valid_until is None or b.valid_from < a.valid_until
    )


def same_rates(before: PriceEntry, peer: PriceEntry) -> bool:
    """Whether the peer's standard rates say what the catalog's entry says: every rate the
    peer gives, in the currencies both have, equals the catalog's (an absent cache rate is
    the input rate, as billed); so are its long-context tiers, where the peer gives any.
    Rates only the catalog has (another currency, peak windows, service tiers) are not
    a disagreement: a peer that does not model them says nothing about them."""
    common = set(before.rates) & set(peer.rates)
    if not common:
        return False
    if not all(_same_set(before.rates[c], peer.rates[c]) for c in common):
        return False
    if not peer.tiers:
        return True
    thresholds = [t.above_input_tokens for t in before.tiers]
    if thresholds != [t.above_input_tokens for t in peer.tiers]:
        return False
    return all(
        _same_set(old.rates[c], new.rates[c])
        for old, new in zip(before.tiers, peer.tiers, strict=True)
        for c in common
    )


def _same_set(old: RateSet, new: RateSet) -> bool:
    return all(
        getattr(new, name) is None or getattr(new, name) == _billed(old, name)
        for name in RATE_FIELDS
    )


def _billed(rates: RateSet, name: str):
    """The rate a token kind is billed at: its own, or the one it falls back to."""
    value = getattr(rates, name)
    while value is None and name in FALLBACK:
        name = FALLBACK[name]
        value = getattr(rates, name)
    return value


# -- storing ----------------------------------------------------------------------------------


def store_update(
    catalog: Catalog,
    imports: Sequence[tuple[str, str, importers.Imported]],
    fetched_at: datetime,
    root: Path,
) -> Update:
    """Store what `imports` ((format, url, converted data), in order: the first to speak for
    an offering wins) teach `catalog` (the shipped catalog and the update layers so far) as
    one new layer under `root`, checked with the catalog's rules before anything is written.
    No layer when nothing is new."""
    fetched_at = fetched_at.astimezone(UTC)
    known = _Known(catalog)
    parts = [
        plan_update(known, data, fmt=f, url=u, fetched_at=fetched_at) for f, u, data in imports
    ]
    name = _layer_name(root, fetched_at.date())
    _settle(catalog, parts, root / name, f"update {name}")
    if not any(part.files for part in parts):
        return Update(None, parts)
    return Update(_write_layer(root, name, parts, fetched_at), parts)


MAX_DROPPED = 200  # offerings left out for breaking a rule, before the update gives up


def _settle(catalog: Catalog, parts: list[Part], directory: Path, layer: str) -> None:
    """Leave out (listed as unmapped, with the reason) each offering of the new layer that
    would break a catalog rule or change what a name already in the catalog means (a bare
    `claude-sonnet-5-5` made ambiguous by a peer's spelling of it); one peer's oddity must
    not cost the whole update. A rule broken elsewhere is an error naming it."""
    from llmcost.catalog.load import validate_catalog

    meant = _names_meant(catalog)
    for _ in range(MAX_DROPPED):
        files = {
            (part.fmt, pid): parse_document(str(directory / part.fmt / f"{pid}.toml"), doc)
            for part in parts
            for pid, doc in sorted(part.files.items())
        }
        entities = [(directory / fmt / f"{pid}.toml", p) for (fmt, pid), p in files.items()]
        if not entities:
            return
        try:
            validate_catalog([*catalog.layers, (layer, entities)])
        except CatalogError as exc:
            if not _drop(parts, *_culprit(exc, directory), f"not added: {exc.message}"):
                exc.message = f"the update would not be a valid layer: {exc.message}"
                raise
            continue
        renamed = _renamed(Catalog([*catalog.layers, (layer, entities)]), meant, layer)
        if not renamed:
            return
        for name, keys in renamed:
            reason = f"not added: it would change what {name!r} names in the catalog"
            if not any([_drop(parts, None, key, reason) for key in keys]):
                raise CatalogError(f"the update would change what {name!r} names")
    raise CatalogError(f"the update breaks the catalog's rules in over {MAX_DROPPED} offerings")


def _names_meant(catalog: Catalog) -> dict[str, str]:
    """Every name that names one offering, and that offering's key."""
    from llmcost.catalog.lookup import names_of
    from llmcost.errors import LlmcostError

    meant = {}
    for info in catalog.models():
        for name in names_of(info):
            with contextlib.suppress(LlmcostError):  # an ambiguous name: nothing to keep
                meant[name] = catalog.resolve(name).key
    return meant


def _renamed(new: Catalog, meant: dict[str, str], layer: str) -> list[tuple[str, list[str]]]:
    """Each name that meant one offering and no longer does, with the keys of the new
    layer's offerings that carry it (extensions add no names)."""
    from llmcost.catalog.lookup import names_of
    from llmcost.errors import LlmcostError

    added: dict[str, list] = {}  # folded name -> new offerings carrying it
    for info in new.models():
        if info.layer == layer:
            for name in names_of(info):
                added.setdefault(fold(name), []).append(info)
    renamed = []
    for name, key in meant.items():
        if fold(name) not in added:
            continue
        try:
            if new.resolve(name).key == key:
                continue
        except LlmcostError:
            pass
        carriers = [info for info in added[fold(name)] if info.key != key]
        # a bare name goes to the maker's offering: one more that claims to be the maker's
        # is the culprit, not the resellers that name their maker
        makers = [info for info in carriers if info.first_party]
        renamed.append((name, [info.key for info in makers or carriers]))
    return renamed


def _culprit(exc: CatalogError, directory: Path) -> tuple[str | None, str | None]:
    """The (format, offering key) of the new layer an error names, if it names one."""
    import ast

    where = exc.where or ""
    file, marker, key = where.partition(": model ")
    path = Path(file)
    if not marker or path.parent.parent != directory:
        return None, None
    try:
        return path.parent.name, ast.literal_eval(key)
    except (ValueError, SyntaxError):
        return None, None


def _drop(parts: list[Part], fmt: str | None, key: str | None, reason: str) -> bool:
    """Take offering `key` out of format `fmt`'s part, listing it as unmapped."""
    for part in parts:
        if part.fmt != fmt and fmt is not None:
            continue
        for pid, doc in list(part.files.items()):
            for model in doc["models"]:
                maker = model.get("maker")
                own = model["id"] if maker in (None, pid) else f"{pid}/{model['id']}"
                if own != key:
                    continue
                doc["models"].remove(model)
                if not doc["models"]:
                    del part.files[pid]
                part.added = [k for k in part.added if k != key]
                part.changed = [k for k in part.changed if k != key]
                part.unmapped.append((_listed(pid, key), reason))
                return True
    return False


def _layer_name(root: Path, day: date) -> str:
    """`2026-12-06`, or for a later fetch the same day `2026-12-06-2`, `-3`, ..."""
    name, number = day.isoformat(), 1
    while (root / name).exists():
        number += 1
        name = f"{day.isoformat()}-{number}"
    return name


def _write_layer(root: Path, name: str, parts: list[Part], fetched_at: datetime) -> Path:
    """The layer appears whole or not at all: written aside, then renamed into place."""
    import shutil

    root.mkdir(parents=True, exist_ok=True)
    aside = root / f".{name}.{os.getpid()}.tmp"
    try:
        for part in parts:
            header = (
                f"llmcost catalog update: {part.fmt} data fetched "
                f"{fetched_at.isoformat(timespec='seconds')} from {part.url}\n"
                "Do not edit: a later price is a new layer ('llmcost catalog update')."
            )
            data = importers.Imported(files=part.files, unmapped=part.unmapped)
            importers.write(data, aside / part.fmt, header=header)
        os.rename(aside, root / name)
    except OSError as exc:
        shutil.rmtree(aside, ignore_errors=True)
        raise InputError(f"{root / name}: cannot write: {exc.strerror}") from None
    except BaseException:
        shutil.rmtree(aside, ignore_errors=True)
        raise
    return root / name
