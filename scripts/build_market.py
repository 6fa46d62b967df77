"""Build the shipped market catalog, `pricing/market/`, from the peers' pinned data.

    python scripts/build_market.py            # reads pricing/peers/, writes pricing/market/
    python scripts/build_market.py --refresh  # first re-makes pricing/peers/ from the pinned
                                              # releases (needs genai-prices==0.2.5 installed
                                              # and pip able to download litellm==1.110.2)

The inputs are committed (`pricing/peers/genai-prices-0.2.5.json`, written by
`scripts/genai_prices_json.py`; `pricing/peers/litellm-1.110.2.json`, LiteLLM's
`litellm/model_prices_and_context_window_backup.json` from its wheel), so the build fetches
nothing and gives the same files every time. The rules, in order:

1. **The curated catalog wins.** The hand-curated `pricing/*.toml` present when the build
   runs are loaded first; an offering they define (same provider and id, or an id that is
   one of that provider's names there) is left out of the market files. The market files
   load in the same shipped layer, where an offering is defined once.
2. **genai-prices next**: it dates its prices (history, promos, scheduled changes) and is the
   fresher peer. Every offering it has that the curated files do not, whole.
3. **LiteLLM fills the rest**: an offering of LiteLLM's is added when neither the curated
   files nor genai-prices have it (at the same provider: LiteLLM's provider ids are mapped
   onto genai-prices' where one is the other's alias, `xai` onto `x-ai`, `bedrock` onto
   `aws`).
   A LiteLLM offering left out for genai-prices' gives it its names (its keys become
   aliases); one left out for a curated offering lists its names in UNMAPPED.txt. Each peer
   lends the other a context window for a model it gives none. A LiteLLM provider name
   names the market provider it maps to even if none of its entries imports.
4. **Disagreements are said.** Where a peer's name (every LiteLLM key and genai-prices name,
   as `scripts/audit_market.py` resolves them) finds an offering whose standard input,
   cache read, cache write or output rate in force at `AT` differs from that peer's (an
   absent cache rate counts as the input rate it is billed at), the entry in force then
   keeps genai-prices' figures (LiteLLM's where genai-prices' own offering could not be
   imported), is marked `confidence = "low"`, and its note names both figures and why.
   `DISAGREEMENTS.md` lists every one; `tests/test_market.py` recomputes the list.

5. **A dated snapshot is its offering.** A peer offering one of whose names is a curated
   name at the same provider (at a host curating a maker's model, also the maker's names)
   plus a snapshot date, billed the curated standard rates at `AT`, is left out and listed:
   the curated file carries the dated name as an alias. Billed otherwise, it is a listing
   of its own.
6. **A host's offering starts at its maker's release.** The peers date no start; a
   generated host offering of a curated model is released when the maker released it and
   no entry of it starts earlier (one that ends by then is dropped).
7. **Left-out names say why.** `LEFT_OUT.tsv` (shipped) lists the peer names the audit
   finds unresolved but listed, with UNMAPPED.txt's reason, for the unknown-model error.

Knowledge time (`published`): LiteLLM 1.110.2's prices are published 2026-11-20, the build
timestamp of its wheel (the CycloneDX SBOM in its dist-info: 2026-11-20T03:38Z); the
genai-prices 0.2.5 wheel carries no date (its entries are zeroed), so its prices are
published 2026-12-06, the day this catalog read it. `--catalog` before those days sees none
of the market data.

Every generated file is headed by the MIT notices of the peers whose data it holds; what
could not be mapped is listed with its reason in `pricing/market/UNMAPPED.txt`.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

import tomli_w

from llmcost.catalog.importers import Imported
from llmcost.catalog.importers import genai_prices as gp
from llmcost.catalog.importers import litellm as ll
from llmcost.catalog.load import parse_provider_file, validate_catalog
from llmcost.catalog.lookup import Catalog, names_of
from llmcost.catalog.names import fold
from llmcost.errors import CatalogError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))  # audit_market, beside this script
GP_VERSION = "0.2.5"
LL_VERSION = "1.110.2"
GP_FILE = f"genai-prices-{GP_VERSION}.json"
LL_FILE = f"litellm-{LL_VERSION}.json"
GP_PUBLISHED = date(2026, 12, 6)  # no release date in the wheel: the day it was read
LL_PUBLISHED = date(2026, 11, 20)  # the wheel's SBOM timestamp, 2026-11-20T03:38Z
AT = datetime(2026, 12, 6, 12, tzinfo=UTC)  # the instant the peers' figures are compared at
UNDATED = "genai-prices gives no start: valid from 1970-01-01 stands for undated"
# A snapshot date closing a (folded) name: `-20260416`, `-2026-04-24`, Vertex's `@20260416`.
# Four-digit `-0731` checkpoints are not taken: hosts list them as offerings of their own,
# priced apart (OpenRouter's `deepseek-v4-flash-0731`).
SNAPSHOT = re.compile(r"(.+?)[-@](20\d\d-?[01]\d-?[0-3]\d)")
COMPARED = ("input_mtok", "cache_read_mtok", "cache_write_mtok", "output_mtok")
LL_JSON_IN_WHEEL = "litellm/model_prices_and_context_window_backup.json"
DISAGREEMENTS = "DISAGREEMENTS.md"
LEFT_OUT = "LEFT_OUT.tsv"  # read by llmcost.catalog.lookup on the unknown-model error path
GENERATED = """\
Generated by scripts/build_market.py from genai-prices {gp} and LiteLLM {ll} (pinned inputs
in pricing/peers/); do not edit. An offering curated in pricing/*.toml is not here: edit
that file, or the peers' data and re-run the build.
"""


@dataclass
class Disagreement:
    """Both peers price an offering; their standard rates at `AT` differ."""

    key: str  # the offering's key in the catalog
    gp_ref: str  # genai-prices' provider:model
    ll_key: str  # LiteLLM's key
    gp_rates: dict[str, Decimal]
    ll_rates: dict[str, Decimal]
    kept: str = "genai-prices"  # whose figures the catalog bills

    def note(self) -> str:
        why = (
            "genai-prices' figures are kept: it dates its prices and is the fresher peer "
            "(data to early December 2026, LiteLLM's to mid November)."
            if self.kept == "genai-prices"
            else "LiteLLM's figures are kept: genai-prices' own offering could not be "
            "imported (pricing/market/UNMAPPED.txt says why), so the catalog has LiteLLM's."
        )
        return (
            f"The peers disagree at {AT:%Y-%m-%d %H:%M} UTC (input / cache read / cache write"
            f" / output per 1M): genai-prices {GP_VERSION} {self.gp_ref} says "
            f"{figures(self.gp_rates)}, LiteLLM {LL_VERSION} {self.ll_key} says "
            f"{figures(self.ll_rates)}. {why}"
        )


@dataclass
class Market:
    files: dict[str, dict] = field(default_factory=dict)  # provider id -> document
    peers: dict[str, set[str]] = field(default_factory=dict)  # provider id -> {"GP", "LL"}
    unmapped: list[tuple[str, str]] = field(default_factory=list)
    left_out: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> entry, why
    disagreements: list[Disagreement] = field(default_factory=list)


def figures(rates: dict[str, Decimal]) -> str:
    return " / ".join(f"{rates[k].normalize():f}" for k in COMPARED)


# -- the inputs ---------------------------------------------------------------------------------


def refresh(peers: Path) -> None:
    """Re-make the pinned inputs from the pinned releases."""
    from importlib.metadata import version

    if version("genai-prices") != GP_VERSION:
        sys.exit(f"build_market: install genai-prices=={GP_VERSION} first")
    peers.mkdir(parents=True, exist_ok=True)
    script = ROOT / "scripts" / "genai_prices_json.py"
    data = subprocess.run([sys.executable, str(script)], check=True, capture_output=True).stdout
    (peers / GP_FILE).write_bytes(data)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", tmp,
             f"litellm=={LL_VERSION}"],
            check=True,
        )  # fmt: skip
        (wheel,) = Path(tmp).glob("litellm-*.whl")
        with zipfile.ZipFile(wheel) as archive:
            (peers / LL_FILE).write_bytes(archive.read(LL_JSON_IN_WHEEL))


# -- the build ----------------------------------------------------------------------------------


def curated_files(pricing: Path) -> list[tuple[Path, object]]:
    """The hand-curated price files (`pricing/*.toml`, not the market's), parsed."""
    return [(f, parse_provider_file(f, f.read_bytes())) for f in sorted(pricing.glob("*.toml"))]


class Names:
    """Who already has which name: provider spellings, and (provider, folded name) -> key."""

    def __init__(self, curated: Catalog):
        self.providers = dict(curated.provider_spellings())
        self.names: dict[tuple[str, str], tuple[str, str]] = {}  # -> (origin, offering key)
        self.keys: dict[str, str] = {}  # offering key (folded) -> provider
        # (provider, folded name) -> curated key: every name of a curated offering, and at a
        # host that curates a maker's model, the maker's names for it (Azure's `gpt-5.5` is
        # OpenAI's `gpt-5.5`, so its snapshot spellings are OpenAI's too)
        self.curated: dict[tuple[str, str], str] = {}
        self.rates = {  # curated key -> its standard USD rates at `AT`, where it has them
            info.key: _rates_of(curated.entry_at(info.key, AT)) for info in curated.models()
        }
        by_key = {info.key: info for info in curated.models()}
        for info in by_key.values():
            self.add(info.provider, info.key, names_of(info), "curated")
            maker = _maker_offering(by_key, info)
            for name in (*names_of(info), *(names_of(maker) if maker else ())):
                self.curated.setdefault((info.provider, fold(name)), info.key)

    def add(self, provider: str, key: str, names, origin: str) -> None:
        self.keys.setdefault(fold(key), provider)
        for name in names:
            self.names.setdefault((provider, fold(name)), (origin, key))

    def add_provider(self, pid: str, aliases) -> None:
        for name in (pid, *aliases):
            self.providers.setdefault(fold(name), pid)

    def snapshot_of(self, provider: str, model: dict) -> tuple[str, str] | None:
        """(the name, the curated offering) where one of the model's names is a curated
        offering's name at `provider` plus a snapshot date (`claude-opus-4-7-20260416`,
        `gpt-5.5-2026-04-24`) and the peer bills it the curated standard rates at `AT`: the
        same offering under its dated spelling, never a new one. A dated name billed
        otherwise is a listing of its own (OpenRouter's `deepseek-v4-flash-0731`, also
        `-20260731`, was priced apart from `deepseek-v4-flash`)."""
        for name in model_names(provider, model):
            dated = SNAPSHOT.fullmatch(fold(name))
            key = dated and self.curated.get((provider, dated.group(1)))
            if not key:
                continue
            entry = entry_at(model)
            theirs = standard_rates(entry) if entry is not None else None
            if theirs is not None and theirs == self.rates.get(key):
                return name, key
        return None

    def owner(self, provider: str, names) -> tuple[str, str] | None:
        for name in names:
            found = self.names.get((provider, fold(name)))
            if found is not None:
                return found
        return None


def _maker_offering(by_key: dict, info):
    """The maker's own curated offering of a host's curated offering (`model = ...`)."""
    if info.first_party or info.model.model is None:
        return None
    found = by_key.get(info.model.model)
    return found if found is not None and found.first_party else None


def _rates_of(entry) -> dict[str, Decimal] | None:
    """A curated entry's standard USD rates, as `standard_rates` reads a peer's."""
    usd = entry.rates.get("USD") if entry is not None else None
    if usd is None:
        return None
    out = {k: getattr(usd, k) for k in COMPARED}
    for k in ("cache_read_mtok", "cache_write_mtok"):
        if out[k] is None:
            out[k] = out["input_mtok"]
    return out


def model_names(pid: str, model: dict) -> list[str]:
    return [gp.offering_key(pid, model), model["id"], *model.get("aliases", [])]


def build(pricing: Path, peers: Path) -> Market:
    curated = Catalog(curated_files(pricing))
    market = Market()
    names = Names(curated)
    gp_bytes, ll_bytes = (peers / GP_FILE).read_bytes(), (peers / LL_FILE).read_bytes()
    first = gp.convert(
        gp_bytes,
        published=GP_PUBLISHED,
        source=f"genai-prices {GP_VERSION} (pricing/peers/{GP_FILE})",
        windows=ll_windows(ll_bytes),
    )
    gp.fit_over(first, curated, extend=False)
    market.unmapped += [(f"genai-prices {k}", r) for k, r in first.unmapped]
    gp_models: dict[tuple[str, str], tuple[str, dict]] = {}  # (provider, folded) -> ref, model
    for pid, doc in first.files.items():
        names.add_provider(pid, doc.get("aliases", []))
        doc["models"] = [
            m for m in doc["models"] if not _is_snapshot(market, names, pid, m, "genai-prices")
        ]
        market.files[pid] = doc
        market.peers[pid] = {"GP"}
        for model in doc["models"]:
            key = gp.offering_key(pid, model)
            names.add(pid, key, model_names(pid, model), "genai-prices")
            for name in model_names(pid, model):
                gp_models.setdefault((pid, fold(name)), (f"{pid}:{model['id']}", model))
    second = ll.convert(
        ll_bytes,
        published=LL_PUBLISHED,
        source=f"litellm {LL_VERSION} (pricing/peers/{LL_FILE})",
        windows=gp_windows(gp_bytes),
    )
    market.unmapped += [(f"litellm {k}", r) for k, r in second.unmapped]
    raw = json.loads((peers / LL_FILE).read_bytes())
    for key in list(raw):  # a key by what follows its provider prefix, too
        raw.setdefault(("tail", key.partition("/")[2]), []).append(key)
    _fill(market, names, second, gp_models, raw)
    _spell_providers(market, names, raw)
    _start_at_release(market, names, curated)
    catalog = _settle(market, curated)
    _say_the_rest(market, catalog)
    return market


def ll_windows(data: bytes) -> dict[str, tuple[int, str]]:
    """Context windows LiteLLM gives, by bare model name, for genai-prices' models that have
    none anywhere in genai-prices (an offering needs a window; none is invented)."""
    out: dict[str, tuple[int, str]] = {}
    for key, entry in json.loads(data).items():
        size = entry.get("max_input_tokens") if isinstance(entry, dict) else None
        if isinstance(size, int) and not isinstance(size, bool) and size > 0:
            out.setdefault(gp.bare(key), (size, f"LiteLLM {LL_VERSION} key {key}"))
    return out


def gp_windows(data: bytes) -> dict[str, tuple[int, str]]:
    """Context windows genai-prices gives, by bare model name, for LiteLLM's entries
    without `max_input_tokens` (worded so that no note reads as the offering's own ref)."""
    out: dict[str, tuple[int, str]] = {}
    for provider in json.loads(data):
        for model in provider["models"]:
            size = model.get("context_window")
            if isinstance(size, int) and not isinstance(size, bool) and size > 0:
                where = f"the window genai-prices gives {provider['id']}:{model['id']}"
                out.setdefault(gp.bare(model["id"]), (size, where))
    return out


def _target(names: Names, pid: str, doc: dict) -> str:
    """The provider a LiteLLM provider is: genai-prices' or the curated one it is a spelling
    of, else its own id."""
    for name in (pid, *doc.get("aliases", [])):
        found = names.providers.get(fold(name))
        if found is not None:
            return found
    return pid


def _fill(market: Market, names: Names, second: Imported, gp_models, raw) -> None:
    """LiteLLM's offerings that neither the curated files nor genai-prices have."""
    for ll_pid, ll_doc in second.files.items():
        pid = _target(names, ll_pid, ll_doc)
        aliases = [a for a in (ll_pid, *ll_doc.get("aliases", [])) if fold(a) != fold(pid)]
        doc = market.files.get(pid)
        if doc is None:
            doc = market.files[pid] = {
                "provider": pid, "name": ll_doc["name"], "sources": {}, "models": [],
            }  # fmt: skip
        market.peers.setdefault(pid, set()).add("LL")
        doc["sources"][ll.SOURCE_KEY] = ll_doc["sources"][ll.SOURCE_KEY]
        fresh = [a for a in aliases if names.providers.setdefault(fold(a), pid) == pid]
        doc["aliases"] = list(dict.fromkeys([*doc.get("aliases", []), *fresh]))
        for model in ll_doc["models"]:
            ll_key = litellm_key(model, ll_pid, raw)
            _place(market, names, pid, model, ll_key, gp_models)


def _spell_providers(market: Market, names: Names, raw: dict) -> None:
    """A LiteLLM provider name of a provider the market has (`bigmodel`, genai-prices'
    `zhipuai`) names it even where none of its own entries could be imported, so that
    `bigmodel/glm-5.3` is Zhipu's offering, never another provider's found past an unknown
    prefix."""
    for entry in raw.values():
        litellm = entry.get("litellm_provider") if isinstance(entry, dict) else None
        if not isinstance(litellm, str) or entry.get("mode") not in ll.TEXT_MODES:
            continue
        pid = ll.provider_of(litellm)[0]
        target = names.providers.get(fold(pid))
        doc = market.files.get(target) if target else None
        if doc is None:
            continue
        for spelling in (pid, litellm):
            folded = fold(spelling)
            if folded == fold(target) or names.providers.setdefault(folded, target) != target:
                continue
            if all(fold(a) != folded for a in doc.get("aliases", [])):
                doc.setdefault("aliases", []).append(spelling)


def litellm_key(model: dict, ll_pid: str, raw: dict) -> str:
    """The LiteLLM key an imported offering came from: one of its names, or its id behind a
    provider prefix, whose `litellm_provider` is this provider."""
    candidates = [*model.get("aliases", []), model["id"]]
    candidates += raw.get(("tail", model["id"]), [])
    for key in candidates:
        entry = raw.get(key)
        litellm = entry.get("litellm_provider") if isinstance(entry, dict) else None
        if isinstance(litellm, str) and ll.provider_of(litellm)[0] == ll_pid:
            return key
    return model["id"]


def _place(market: Market, names: Names, pid: str, model: dict, ll_key: str, gp_models) -> None:
    maker = model.get("maker")
    if maker is not None and names.providers.get(fold(maker), maker) == pid:
        del model["maker"]
    elif maker is not None:
        model["maker"] = names.providers.get(fold(maker), maker)
    key = gp.offering_key(pid, model)
    owner = names.owner(pid, model_names(pid, model))
    if owner is not None:
        origin, other = owner
        market.unmapped.append((f"litellm {ll_key}", f"{origin} has it as {other}; left out"))
        if origin == "genai-prices":
            _carry_names(market, names, pid, other, model, gp_models)
            _compare(market, pid, other, model, ll_key, gp_models)
        else:
            for name in _uncarried(names, pid, model):
                market.unmapped.append(
                    (f"litellm {name}", f"a name of {other}, curated: not carried (add it there)")
                )
        return
    if fold(key) in names.keys:
        market.unmapped.append(
            (f"litellm {ll_key}", f"key {key} is {names.keys[fold(key)]}'s offering; left out")
        )
        return
    if _is_snapshot(market, names, pid, model, "litellm", ll_key):
        return
    aliases = [a for a in model.get("aliases", []) if (pid, fold(a)) not in names.names]
    if aliases:
        model["aliases"] = aliases
    else:
        model.pop("aliases", None)
    names.add(pid, key, model_names(pid, model), "litellm")
    source = f"LiteLLM {LL_VERSION} key {ll_key}"
    model["note"] = f"{source}. {model['note']}" if model.get("note") else source
    market.files[pid]["models"].append(model)


def _is_snapshot(
    market: Market, names: Names, pid: str, model: dict, peer: str, ref: str | None = None
) -> bool:
    """A peer offering that is a curated one under a dated name is left out and listed (a
    generated file cannot add a name to a curated offering: the curated file carries it)."""
    found = names.snapshot_of(pid, model)
    if found is None:
        return False
    name, key = found
    ref = ref or f"{pid}:{model['id']}"
    market.unmapped.append(
        (f"{peer} {ref}", f"{name} is a snapshot of {key}, curated: its alias there")
    )
    return True


def _uncarried(names: Names, pid: str, ll_model: dict) -> list[str]:
    """The LiteLLM offering's names (its id, its keys) that name nothing at `pid` yet."""
    return [
        n for n in dict.fromkeys([ll_model["id"], *ll_model.get("aliases", [])])
        if (pid, fold(n)) not in names.names
    ]  # fmt: skip


def _carry_names(market: Market, names: Names, pid: str, gp_key: str, ll_model: dict, gp_models):
    """LiteLLM's spellings of an offering genai-prices has become its aliases, so that a
    LiteLLM key (`bedrock/us.anthropic...`, a `-latest` pointer) finds it; a name another
    provider's prefix starts is left to that provider (a maker's offering names nothing
    under another provider's prefix)."""
    found = gp_models.get((pid, fold(gp_key))) or gp_models.get(
        (pid, fold(gp_key.removeprefix(f"{pid}/")))
    )
    if found is None:
        return
    gp_model = found[1]
    first_party = gp_model.get("maker") in (None, pid)
    for name in _uncarried(names, pid, ll_model):
        head, _, rest = fold(name).partition("/")
        if first_party and rest and names.providers.get(head, pid) != pid:
            continue
        gp_model.setdefault("aliases", []).append(name)
        names.names[(pid, fold(name))] = ("genai-prices", gp_key)


def _compare(market: Market, pid: str, gp_key: str, ll_model: dict, ll_key: str, gp_models):
    found = None
    for name in (gp_key, gp_key.removeprefix(f"{pid}/")):
        found = found or gp_models.get((pid, fold(name)))
    if found is None:
        return
    gp_ref, gp_model = found
    if ll_model.get("retired") is not None and ll_model["retired"] <= AT:
        return  # LiteLLM has no price then: a lifecycle difference, not a rate one
    gp_entry = entry_at(gp_model)
    ll_entry = entry_at(ll_model)
    if gp_entry is None or ll_entry is None:
        return
    gp_rates, ll_rates = standard_rates(gp_entry), standard_rates(ll_entry)
    if gp_rates == ll_rates:
        return
    if any(d.gp_ref == gp_ref and d.ll_rates == ll_rates for d in market.disagreements):
        return  # said once for these figures (its other LiteLLM keys are listed)
    found_d = Disagreement(gp_key, gp_ref, ll_key, gp_rates, ll_rates)
    market.disagreements.append(found_d)
    gp_entry["confidence"] = "low"
    gp_entry["note"] = (gp_entry["note"] + " " if gp_entry.get("note") else "") + found_d.note()


def entry_at(model: dict) -> dict | None:
    """The entry of a model document in force at `AT` (all of an import's entries share a
    publication day, so valid time alone decides)."""
    for entry in model["prices"]:
        until = entry.get("valid_until")
        if entry["valid_from"] <= AT and (until is None or until > AT):
            return entry
    return None


def standard_rates(entry: dict) -> dict[str, Decimal]:
    """The entry's standard USD rates at `AT` (its window there, if any), a cache rate it
    lacks as the input rate it is billed at."""
    rates = entry["rates"]["USD"]
    for window in entry.get("windows", []):
        weekdays = window.get("weekdays", ["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
        if AT.strftime("%a").lower() in weekdays and any(
            _in_hours(span, AT.time()) for span in window["hours_utc"]
        ):
            rates = window["rates"]["USD"]
    out = {k: rates.get(k) for k in COMPARED}
    for k in ("cache_read_mtok", "cache_write_mtok"):
        if out[k] is None:
            out[k] = out["input_mtok"]
    return {k: Decimal(v) for k, v in out.items()}


def _in_hours(span: str, moment: time) -> bool:
    start, end = (time.fromisoformat(part) for part in span.split("-"))
    return start <= moment and (end == time(0, 0) or moment < end)


# -- a host's offering starts when its maker released the model -------------------------------


def _maker_release(names: Names, by_key: dict, pid: str, model: dict):
    """The curated maker's offering a host's generated offering sells, if there is one: its
    id, aliases, any of them past a path prefix (`anthropic/claude-opus-4-7`) or without a
    snapshot date, as a curated name at the maker's provider."""
    maker = model.get("maker")
    maker_pid = names.providers.get(fold(maker)) if maker else None
    if maker_pid is None or maker_pid == pid:
        return None
    for name in [model.get("model"), model["id"], *model.get("aliases", [])]:
        if not name:
            continue
        parts = fold(name).split("/")
        tails = ["/".join(parts[i:]) for i in range(len(parts))]
        for tail in tails:
            dated = SNAPSHOT.fullmatch(tail)
            for candidate in (tail, dated.group(1) if dated else None):
                key = names.curated.get((maker_pid, candidate)) if candidate else None
                info = by_key.get(key)
                if info is not None and info.first_party:
                    return info
    return None


def _start_at_release(market: Market, names: Names, curated: Catalog) -> None:
    """The peers date no offering (an undated entry starts at 1970 or 2020); a host cannot
    sell a model before its maker released it. Where a generated host offering sells a
    curated model (`google/claude-opus-4-7` is Anthropic's `claude-opus-4-7`, released
    2026-04-16), it is released then and no entry of it starts earlier: an entry that ends
    by then is dropped, one that spans it starts then."""
    by_key = {info.key: info for info in curated.models()}
    for pid, doc in market.files.items():
        kept = []
        for model in doc["models"]:
            maker = _maker_release(names, by_key, pid, model)
            release = maker.model.released if maker is not None else None
            if release is None or model["released"] >= release:
                kept.append(model)
                continue
            why = (
                f"Starts at {maker.key}'s release, {release:%Y-%m-%d %H:%M} UTC (the curated "
                f"{maker.provider} file): a host does not sell a model before its maker "
                "releases it."
            )
            model["released"] = release
            prices = []
            for entry in model["prices"]:
                until = entry.get("valid_until")
                if until is not None and until <= release:
                    continue
                if entry["valid_from"] < release:
                    entry["valid_from"] = release
                    entry["note"] = _started(entry.get("note"), why)
                prices.append(entry)
            model["prices"] = prices
            if prices:
                kept.append(model)
            else:
                market.unmapped.append(
                    (f"{pid}:{model['id']}", f"every price ends before {maker.key}'s release")
                )
        doc["models"] = kept


def _started(note: str | None, why: str) -> str:
    """An entry's note once it starts at the maker's release: the importer's word that its
    start stands for "undated" no longer holds."""
    note = (note or "").replace(UNDATED, "genai-prices gives no start.").strip()
    if note and not note.endswith("."):
        note += "."
    return f"{note} {why}" if note else why


# -- settling: the layer as load will read it ---------------------------------------------------


def _settle(market: Market, curated: Catalog) -> Catalog:
    """Validate curated + market as one layer; an offering that breaks a rule (a name that
    means another provider's offering, ...) is left out and listed, until none does."""
    while True:
        try:
            parsed = [(Path(f"{pid}.toml"), _entities(pid, doc)) for pid, doc in _docs(market)]
            return validate_catalog([*curated.providers, *parsed])
        except CatalogError as exc:
            if not _drop_culprit(market, exc):
                raise


def _say_the_rest(market: Market, catalog: Catalog) -> None:
    """Every peer name (scripts/audit_market.py) that finds a market offering of the other
    peer whose standard rates at `AT` differ from its own peer's: the disagreement is said
    in that offering's entry and listed, whichever peer's figures the offering carries (a
    key LiteLLM's importer could not read, a genai-prices name whose own offering could not
    be imported, a second spelling of an offering already compared)."""
    import audit_market as audit

    said = {(d.key, figures(d.gp_rates), figures(d.ll_rates)) for d in market.disagreements}
    reasons = audit.reasons_by_key(market.unmapped)
    rows = audit.audit(catalog, reasons)
    _left_out(market, rows, reasons)
    for row in rows:
        if row.kind != "silent" or row.got is None or row.name.rates is None:
            continue
        info = catalog.info(row.key)
        doc = market.files.get(info.provider)
        model = next(
            (
                m
                for m in (doc or {}).get("models", [])
                if gp.offering_key(info.provider, m) == row.key
            ),
            None,
        )
        if model is None:
            continue  # curated: its sourced figures win, and the audit says so
        theirs = {k: row.name.rates[k] for k in COMPARED}
        note = model.get("note") or ""
        ours_gp = note.startswith("genai-prices ")
        if row.name.peer == "litellm" and ours_gp:
            found = Disagreement(
                row.key, note.split()[1].rstrip(";"), row.name.ref, row.got, theirs
            )
        elif row.name.peer == "genai-prices" and not ours_gp:
            ll_key = note.split(" key ", 1)[1].split()[0].rstrip(".") if " key " in note else "-"
            found = Disagreement(row.key, row.name.ref, ll_key, theirs, row.got, "LiteLLM")
        else:
            continue  # a peer's name on another offering of its own: the audit lists it
        seen = (found.key, figures(found.gp_rates), figures(found.ll_rates))
        entry = entry_at(model)
        if seen in said or entry is None:
            continue
        said.add(seen)
        market.disagreements.append(found)
        entry["confidence"] = "low"
        entry["note"] = (entry["note"] + " " if entry.get("note") else "") + found.note()


def _left_out(market: Market, rows, reasons) -> None:
    """The peer names that find no offering and why (`UNMAPPED.txt`'s reasons), for
    `Catalog.resolve`'s error: `openrouter/x` left out for want of a context window is not an
    offering OpenRouter lacks. Only these names, not all of UNMAPPED.txt, which the wheel
    does not carry."""
    for row in rows:
        if row.kind != "unresolved, listed":
            continue
        ref = next(k for k in row.name.listed_as if k in reasons)
        why = "; ".join(dict.fromkeys(reasons[ref]))
        peer = ref if ref.startswith(("genai-prices ", "litellm ")) else f"{row.name.peer} {ref}"
        peer = peer.replace("genai-prices ", f"genai-prices {GP_VERSION} ", 1)
        peer = peer.replace("litellm ", f"LiteLLM {LL_VERSION} ", 1)
        market.left_out.setdefault(fold(row.name.name), (peer, why))


def _docs(market: Market):
    return [(pid, doc) for pid, doc in sorted(market.files.items()) if doc["models"]]


def _entities(pid: str, doc: dict):
    return parse_provider_file(Path(f"{pid}.toml"), tomli_w.dumps(doc).encode())


def _drop_culprit(market: Market, exc: CatalogError) -> bool:
    where = exc.where or ""
    file, _, rest = where.partition(": model ")
    pid = Path(file).stem
    doc = market.files.get(pid)
    if doc is None or not rest:
        return False
    key = rest.strip("'\"")
    for model in doc["models"]:
        if gp.offering_key(pid, model) == key:
            doc["models"].remove(model)
            market.unmapped.append((f"{pid}:{model['id']}", f"left out: {exc.message}"))
            return True
    return False


# -- writing ------------------------------------------------------------------------------------


def header(peers: set[str]) -> str:
    text = GENERATED.format(gp=GP_VERSION, ll=LL_VERSION)
    if "GP" in peers:
        text += "\n" + gp.NOTICE
    if "LL" in peers:
        text += "\nPrice data from LiteLLM (https://github.com/BerriAI/litellm), under its "
        text += "licence:\n\n" + ll.NOTICE[ll.NOTICE.index("MIT License") :]
    return "".join(f"# {line}".rstrip() + "\n" for line in text.splitlines())


def write(market: Market, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.toml"):
        old.unlink()
    for pid, doc in _docs(market):
        text = header(market.peers[pid]) + "\n" + tomli_w.dumps(doc, multiline_strings=False)
        (directory / f"{pid}.toml").write_text(text, encoding="utf-8")
    lines = [f"{' '.join(k.split())}\t{' '.join(r.split())}\n" for k, r in market.unmapped]
    (directory / "UNMAPPED.txt").write_text(
        f"# {len(lines)} peer keys not in the market files: key<TAB>reason\n" + "".join(lines),
        encoding="utf-8",
    )
    (directory / DISAGREEMENTS).write_text(disagreements_text(market), encoding="utf-8")
    rows = [
        f"{name}\t{peer}\t{' '.join(why.split())}\n"
        for name, (peer, why) in sorted(market.left_out.items())
    ]
    (directory / LEFT_OUT).write_text(
        f"# {len(rows)} peer names llmcost knows and does not price (folded name<TAB>the "
        "peer's entry<TAB>why); "
        "generated by scripts/build_market.py\n" + "".join(rows),
        encoding="utf-8",
    )


def disagreements_text(market: Market) -> str:
    rows = sorted(market.disagreements, key=lambda d: (d.key, d.ll_key))
    lines = [
        f"# Where genai-prices {GP_VERSION} and LiteLLM {LL_VERSION} disagree\n",
        "\n",
        f"Standard rates in force at {AT:%Y-%m-%dT%H:%MZ}, USD per 1M tokens: input / cache "
        "read / cache write / output (an absent cache rate is the input rate it is billed at). "
        "One row per offering and LiteLLM figures: every LiteLLM key and genai-prices name "
        "that finds the offering is compared (scripts/audit_market.py). The entry in force "
        'then is marked `confidence = "low"` and its note names both figures and which are '
        "kept: genai-prices', unless its own offering could not be imported. Generated by "
        "scripts/build_market.py; tests/test_market.py recomputes it.\n",
        "\n",
        f"{len(rows)} rows, {len({d.key for d in rows})} offerings.\n",
        "\n",
        "| Offering | genai-prices | LiteLLM key | genai-prices says | LiteLLM says | kept |\n",
        "|---|---|---|---|---|---|\n",
    ]
    for d in rows:
        lines.append(
            f"| {d.key} | {d.gp_ref} | {d.ll_key} | {figures(d.gp_rates)} | "
            f"{figures(d.ll_rates)} | {d.kept} |\n"
        )
    return "".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--refresh", action="store_true", help="re-make pricing/peers/ first")
    parser.add_argument("--pricing", type=Path, default=ROOT / "pricing")
    args = parser.parse_args(argv)
    peers = args.pricing / "peers"
    if args.refresh:
        refresh(peers)
    market = build(args.pricing, peers)
    write(market, args.pricing / "market")
    offerings = sum(len(d["models"]) for _, d in _docs(market))
    print(
        f"pricing/market: {offerings} offerings of {len(_docs(market))} providers, "
        f"{len(market.unmapped)} peer keys listed in UNMAPPED.txt, "
        f"{len(market.disagreements)} disagreements",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
