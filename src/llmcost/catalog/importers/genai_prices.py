"""genai-prices' v2 `data.json` as llmcost provider documents.

The file is the one genai-prices' own updater fetches
(`prices/new_data/v2/data.json` in pydantic/genai-prices); `scripts/genai_prices_json.py`
writes a pinned release's data in the same shape. It is a list of providers, each with
`models`; a model's `prices` is one price set or a list of conditional ones, tried last to
first, and `price_variants` give service tiers as partial price sets. How each part maps:

* **Money** is read with `parse_float=Decimal` and stays exact; values are written with
  their own digits (at most 12 places, or the model is left out).
* **History.** A `start_date` (a UTC day) starts an entry at UTC midnight; the previous one
  ends there. The entry in force on each day is the one genai-prices' own lookup picks
  (the last active, else the first). Undated prices get `valid_from` = `UNDATED`
  (1970-01-01): genai-prices applies them at every earlier instant and knows no release
  day, so the epoch says "undated" rather than inventing one; where every price is dated,
  the first start is the release.
* **Time of day.** A `start_time`-`end_time` price (UTC, every day, may wrap midnight)
  becomes a window of the entry in force (a wrapping one as two hour ranges); a later
  window covers an earlier one where they overlap, as in genai-prices.
* **Tiers.** genai-prices tiers each rate on its own thresholds (a cliff: all tokens, once
  the input is over `start`). llmcost tiers a whole entry, so each distinct threshold of any
  rate becomes one tier carrying every rate's price at that threshold.
* **Variants.** `{processing: batch}` -> `batch`; `{service_tier: flex|priority|fast|
  ultrafast}` -> that name; `{speed: fast}` -> `fast` (where no `service_tier: fast`
  exists); `{service_tier: default}` is the standard tier (a variant only if it changes a
  rate). A variant's rates are the entry's with the variant's given rates replacing them
  (genai-prices' `get_prices`: first matching variant wins per rate, the rest stay
  standard). A variant's `start_date` splits the entries there; before it, the tier is not
  sold (genai-prices: "history before is not modelled"). Other `when`s are listed.
* **Names.** `equals` clauses of `match` become aliases; `starts_with`, `ends_with`,
  `contains`, `regex` and `and` clauses cannot be exact names and are listed (the id is
  kept). genai-prices' ref `provider:model` resolves as `provider/model` through
  `Catalog.resolve` (a provider's own id at it, for makers and hosts alike).
* **Makers.** At a model's maker (`MAKERS`) the key is the bare id; anywhere else `maker`
  is set (derived from the id, `maker_of`), so the key is `provider/id`.
* **Rates** llmcost has no kind for (audio, image, video, pages, hours, other `_kcount`s)
  are dropped and listed; the text rates are kept. A model without input and output token
  rates is left out.
* **Sizes.** `context_window` as given, else the same model's at another provider of the
  file (noted); else the model is left out (llmcost needs one and none is invented).
  genai-prices has no `max_output`: it is set to the context window (an upper bound) and
  the model's note says so.
* **Knowledge time.** genai-prices dates no fact's publication, so every entry is
  `published` on the day given (the package's release or the fetch day): `--catalog DAY`
  before it sees none of this data, so no entry claims to be known before genai-prices
  was read. A start date is valid time only.
* `deprecated: true` is noted on the model and listed; no retirement is invented.
* Every entry is `kind = "list"`, `confidence = "medium"` (a peer's figure, its start a UTC
  day), sourced `GP`; `header()` heads each written file with genai-prices' MIT notice.

`fit_over(imported, below)` makes the result an overlay of a lower catalog (see there).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from llmcost.catalog.entities import NAME, PROVIDER
from llmcost.catalog.importers import MIT_PERMISSION, Imported
from llmcost.catalog.names import fold
from llmcost.errors import InputError

NOTICE = f"""\
Price data from genai-prices (https://github.com/pydantic/genai-prices), under its licence:

The MIT License (MIT)

Copyright (c) Pydantic Services Inc. 2025 to present

{MIT_PERMISSION}
"""

SOURCE = "GP"  # the key of the [sources] entry every imported price names
UNDATED = datetime(1970, 1, 1, tzinfo=UTC)  # valid_from of a price genai-prices does not date
MAX_PLACES = 12
MAX_PRICE = Decimal(1_000_000)  # per 1M tokens or per 1,000 requests (entities.RATE, FEE)
MAX_OUTPUT_NOTE = "max_output: genai-prices gives none; set to the context window"

# genai-prices rate key -> llmcost rate kind; every other key is dropped and listed
RATES = {
    "input_mtok": "input_mtok",
    "output_mtok": "output_mtok",
    "cache_read_mtok": "cache_read_mtok",
    "cache_write_mtok": "cache_write_mtok",
    "cache_write_5m_mtok": "cache_write_mtok",
    "cache_write_1h_mtok": "cache_write_1h_mtok",
    "output_reasoning_mtok": "output_reasoning_mtok",
    "web_searches_kcount": "web_search_kcount",
    "requests_kcount": "request_kcount",
}

# genai-prices `when` -> llmcost service tier, in order of preference for a name
TIERS = (
    (("processing", "batch"), "batch"),
    (("service_tier", "flex"), "flex"),
    (("service_tier", "priority"), "priority"),
    (("service_tier", "fast"), "fast"),
    (("speed", "fast"), "fast"),
    (("service_tier", "ultrafast"), "ultrafast"),
    (("service_tier", "default"), "default"),
)

# providers that make (most of) the models they sell: their offerings' keys are bare ids
MAKERS = frozenset(
    {"anthropic", "arcee", "cohere", "deepseek", "elevenlabs", "google", "meta", "minimax",
     "mistral", "moonshotai", "openai", "openai-decisions", "perplexity", "voyageai", "x-ai",
     "zai", "zhipuai"}
)  # fmt: skip

# a maker's other provider id. Not Zhipu AI (open.bigmodel.cn): it bills Z.ai's GLM models at
# prices of its own (CNY), so its offerings are `zhipuai/GLM-5`, beside Z.ai's bare `GLM-5`
SAME_MAKER = {"openai-decisions": "openai"}

# an id's organisation prefix (`meta-llama/...`) or family (`claude-...`) -> its maker
ORGS = {
    "meta-llama": "meta", "mistralai": "mistral", "x-ai": "x-ai", "xai": "x-ai",
    "z-ai": "zai", "moonshot": "moonshotai", "deepseek-ai": "deepseek", "google": "google",
    "openai": "openai", "anthropic": "anthropic", "cohere": "cohere", "qwen": "qwen",
    "minimax": "minimax", "amazon": "amazon", "meta": "meta", "zhipuai": "zhipuai",
    "moonshotai": "moonshotai", "zai": "zai", "zai-org": "zai", "nvidia": "nvidia",
    "writer": "writer", "microsoft": "microsoft", "ai21": "ai21", "mistral": "mistral",
    "deepseek": "deepseek", "alibaba": "qwen",
}  # fmt: skip
FAMILIES = (
    (r"^(gpt-|o[1-9]\b|o[1-9]-|chatgpt|text-embedding|whisper|dall-e|tts-|codex|sora)", "openai"),
    (r"^claude", "anthropic"),
    (r"^(gemini|gemma|imagen|veo)", "google"),
    (r"^deepseek", "deepseek"),
    (r"^grok", "x-ai"),
    (r"^(mistral|mixtral|codestral|ministral|magistral|devstral|pixtral|voxtral)", "mistral"),
    (r"^(llama|meta-llama)", "meta"),
    (r"^(command|embed-|rerank-)", "cohere"),
    (r"^kimi", "moonshotai"),
    (r"^glm", "zai"),
    (r"^qwen|^qwq", "qwen"),
    (r"^minimax", "minimax"),
    (r"^(nova|titan)", "amazon"),
    (r"^phi-", "microsoft"),
    (r"^nemotron", "nvidia"),
    (r"^zai-|^z-ai", "zai"),
)


class _Skip(Exception):
    """A model that cannot be mapped; the message is the reason listed in `unmapped`."""


@dataclass
class _Context:
    provider: str  # the llmcost provider id
    ref: str  # genai-prices' `provider:model`, the key of every `unmapped` line
    published: date
    unmapped: list[tuple[str, str]]

    def lost(self, reason: str) -> None:
        self.unmapped.append((self.ref, reason))


def convert(data: bytes, *, published: date, source: str, below=None, windows=None) -> Imported:
    """genai-prices' v2 JSON as provider documents; `below` (a `Catalog`): make the result
    an overlay of it (`fit_over`); `windows`: context windows by bare folded model name
    (`_bare`) -> (tokens, where from), for models genai-prices gives none anywhere."""
    providers = _parse(data, source)
    imported = Imported()
    sizes = _context_windows(providers)
    for name, found in (windows or {}).items():
        sizes.setdefault(name, found)
    others = {fold(p["id"]) for p in providers}
    for raw in providers:
        doc = _provider(raw, published, source, sizes, imported.unmapped, others)
        if doc is not None:
            imported.files[doc["provider"]] = doc
    _unique_keys(imported)
    imported.unmapped[:] = list(dict.fromkeys(imported.unmapped))
    if below is not None:
        fit_over(imported, below)
    return imported


def header(source: str) -> str:
    """The comment atop each generated file: where the data came from, and its licence."""
    return f"Generated by llmcost from genai-prices data: {source}\n\n{NOTICE}"


# -- reading -------------------------------------------------------------------------------------


def _parse(data: bytes, source: str) -> list[dict]:
    try:
        value = json.loads(data, parse_float=Decimal)
    except RecursionError:  # past Python's recursion limit: genai-prices nests a few levels
        raise InputError(
            f"{source}: not JSON genai-prices writes (nested too deeply)",
            hint="give genai-prices' v2 data.json",
        ) from None
    except (ValueError, UnicodeDecodeError) as exc:
        where = f" (line {exc.lineno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise InputError(
            f"{source}: not JSON{where}", hint="give genai-prices' v2 data.json"
        ) from None
    if not isinstance(value, list) or not all(
        isinstance(p, dict) and isinstance(p.get("id"), str) and isinstance(p.get("models"), list)
        for p in value
    ):
        raise InputError(
            f"{source}: not genai-prices data (a list of providers with models)",
            hint="give genai-prices' v2 data.json",
        )
    return value


def _context_windows(providers: list[dict]) -> dict[str, tuple[int, str]]:
    """The context window of each model name (folded, without an organisation prefix) where
    some provider gives it, with the ref it came from."""
    sizes: dict[str, tuple[int, str]] = {}
    for raw in providers:
        for model in raw["models"]:
            if not (isinstance(model, dict) and isinstance(model.get("id"), str)):
                continue
            size = model.get("context_window")
            if isinstance(size, int) and not isinstance(size, bool) and size > 0:
                sizes.setdefault(
                    _bare(model["id"]), (size, f"genai-prices {raw['id']}:{model['id']}")
                )
    return sizes


def bare(model_id: str) -> str:
    """A model's name without organisation or provider path, folded: what a context
    window is shared by."""
    return _bare(model_id)


def _bare(model_id: str) -> str:
    return fold(str(model_id).rsplit("/", 1)[-1])


# -- providers and models ------------------------------------------------------------------------


def provider_id(raw_id: str) -> str:
    """genai-prices' provider id as an llmcost one: kept where it fits llmcost's pattern."""
    if re.match(PROVIDER, raw_id):
        return raw_id
    return re.sub(r"[^a-z0-9_.-]+", "-", raw_id.lower()).strip("-_.") or "unknown"


def _provider(raw: dict, published: date, source: str, sizes, unmapped, others) -> dict | None:
    pid = provider_id(raw["id"])
    models = []
    picks = _Picks(raw["models"])
    for model in raw["models"]:
        ref = f"{raw['id']}:{model.get('id') if isinstance(model, dict) else model}"
        ctx = _Context(pid, ref, published, unmapped)
        try:
            models.append(_offering(model, ctx, sizes, picks))
        except _Skip as reason:
            ctx.lost(str(reason))
    if not models:
        return None
    doc: dict[str, Any] = {"provider": pid, "name": raw.get("name") or pid}
    aliases = _provider_aliases(raw, others)
    if aliases:
        doc["aliases"] = aliases
    url = source if source.startswith(("http://", "https://")) else None
    doc["sources"] = {
        SOURCE: {
            "title": f"genai-prices data.json ({source})",
            "url": url or "https://github.com/pydantic/genai-prices",
            "seen": published.isoformat(),
        }
    }
    doc["models"] = models
    return doc


def _provider_aliases(raw: dict, providers: set[str]) -> list[str]:
    """The exact words genai-prices finds the provider by (`bedrock` for aws), but none
    that is a provider's id (folded: `providers`)."""
    words: dict[str, str] = {}
    clause = raw.get("provider_match")
    for kind, value in _clauses(clause) if isinstance(clause, dict) else ():
        exact = kind in ("equals", "contains") and re.match(PROVIDER, value.lower())
        if exact and fold(value) not in providers:
            words.setdefault(fold(value), value)
    return list(words.values())


def _offering(model: dict, ctx: _Context, sizes, picks: _Picks | None = None) -> dict:
    if not isinstance(model, dict) or not isinstance(model.get("id"), str):
        raise _Skip("model: not a genai-prices model (no id)")
    model_id = model["id"]
    if not re.match(NAME, model_id):
        raise _Skip(f"id: {model_id!r} is not an llmcost model name")
    entries = _history(model, ctx)
    size, size_note = _size(model, sizes)
    doc: dict[str, Any] = {"id": model_id, "name": model.get("name") or model_id}
    maker = _maker(ctx.provider, model_id)
    if maker is not None:
        doc["maker"] = maker
    aliases = _aliases(model, ctx, picks)
    if aliases:
        doc["aliases"] = aliases
    notes = [f"genai-prices {ctx.ref}", size_note, MAX_OUTPUT_NOTE]
    if model.get("deprecated"):
        notes.append("deprecated in genai-prices (no retirement date known, none set)")
        ctx.lost("deprecated: genai-prices marks it deprecated; no retirement date, none set")
    doc.update(
        released=entries[0]["valid_from"],
        context_window=size,
        max_output=size,
        note="; ".join(n for n in notes if n),
        prices=entries,
    )
    return doc


def _size(model: dict, sizes) -> tuple[int, str | None]:
    size = model.get("context_window")
    if isinstance(size, int) and not isinstance(size, bool) and size > 0:
        return size, None
    found = sizes.get(_bare(model["id"]))
    if found is None:
        raise _Skip("context_window: unknown (here and for the same model elsewhere)")
    return found[0], f"context_window from {found[1]}"


def maker_of(model_id: str) -> str | None:
    """Who made a model, from its id: an organisation prefix (`meta-llama/...`, Bedrock's
    `us.anthropic.claude-...`) or its family name (`claude-...`)."""
    text = model_id.lower().lstrip("@")
    parts = [p for p in text.split("/") if p]
    if len(parts) > 1 and parts[0] not in ("cf", "hf", "accounts", "models"):
        org = parts[0]
        if org in ORGS:
            return ORGS[org]
        if re.match(PROVIDER, org):
            by_name = _family(parts[-1])
            return by_name or org
    name = parts[-1] if parts else text
    for dotted in name.split(".")[:-1]:  # `us.anthropic.claude-...`, `meta.llama3-...`
        if dotted in ORGS:
            return ORGS[dotted]
    for part in reversed([*parts[:-1], *name.split(".")]):
        family = _family(part)
        if family is not None:
            return family
    return None


def _family(name: str) -> str | None:
    for pattern, maker in FAMILIES:
        if re.match(pattern, name):
            return maker
    return None


def _maker(provider: str, model_id: str) -> str | None:
    """`maker` for the offering: none at the model's maker, so its key is the bare id; at
    any other provider the maker (or `unknown`), so the key is `provider/id`."""
    maker = maker_of(model_id)
    if maker == provider or (provider in MAKERS and maker in (None, SAME_MAKER.get(provider))):
        return None
    return maker or "unknown"


def _clauses(clause: dict) -> list[tuple[str, str]]:
    """A match tree as (kind, value) leaves; `and` is one leaf (no exact names in it)."""
    if "or" in clause and isinstance(clause["or"], list):
        return [leaf for sub in clause["or"] if isinstance(sub, dict) for leaf in _clauses(sub)]
    if "and" in clause:
        return [("and", json.dumps(clause["and"], default=str))]
    return [(kind, str(value)) for kind, value in clause.items()]


class _Picks:
    """Which of a provider's models genai-prices' own lookup picks for a name: the first
    whose `match` clause matches it (case-insensitively, as `ModelInfo.is_match` does)."""

    def __init__(self, models: list):
        self.models = [m for m in models if isinstance(m, dict) and isinstance(m.get("id"), str)]
        self.ids = {fold(m["id"]): m["id"] for m in self.models}

    def model_for(self, name: str) -> str | None:
        for model in self.models:
            clause = model.get("match")
            if isinstance(clause, dict) and _matches(clause, name.lower()):
                return model["id"]
        return None


def _matches(clause: dict, text: str) -> bool:
    if isinstance(clause.get("or"), list):
        return any(isinstance(c, dict) and _matches(c, text) for c in clause["or"])
    if isinstance(clause.get("and"), list):
        return all(isinstance(c, dict) and _matches(c, text) for c in clause["and"])
    tests = {
        "equals": lambda v: text == v,
        "starts_with": text.startswith,
        "ends_with": text.endswith,
        "contains": lambda v: v in text,
    }
    for kind, test in tests.items():
        if isinstance(clause.get(kind), str):
            return test(clause[kind].lower())
    if isinstance(clause.get("regex"), str):
        try:
            return re.search(clause["regex"], text) is not None
        except re.error:
            return False
    return False


def _aliases(model: dict, ctx: _Context, picks: _Picks | None = None) -> list[str]:
    """`equals` names, and the plain text of a `starts_with`, `ends_with` or `contains`
    clause where genai-prices' own lookup of that very text picks this model (the prefix
    `claude-3-5-haiku` is Claude Haiku 3.5's name; `gpt-4` is not GPT-4o's where GPT-4
    comes first), no other model of the provider has it as its id, and it is a whole name
    (`gpt-x-`, a prefix ending in a separator, is not)."""
    clause = model.get("match")
    if not isinstance(clause, dict):
        return []
    aliases = []
    for kind, value in _clauses(clause):
        plain = kind in ("starts_with", "ends_with", "contains")
        own = picks is not None and plain and picks.model_for(value) == model["id"]
        if own and fold(value) in picks.ids and picks.ids[fold(value)] != model["id"]:
            own = False  # another model's id, folded
        whole = re.match(NAME, value) and not value.endswith(("-", ".", "_", "/", ":", "@"))
        if own and whole and fold(value) != fold(model["id"]):
            aliases.append(value)
        elif kind != "equals" and fold(value) != fold(model["id"]):
            ctx.lost(f"match pattern: {kind} {value!r} is not an exact name (id kept)")
        elif kind == "equals" and fold(value) != fold(model["id"]):
            if re.match(NAME, value):
                aliases.append(value)
            else:
                ctx.lost(f"alias: {value!r} is not an llmcost model name")
    unique: dict[str, str] = {}  # one alias per folded spelling, the first given
    for alias in aliases:
        unique.setdefault(fold(alias), alias)
    return list(unique.values())


# -- prices --------------------------------------------------------------------------------------


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _day(constraint) -> date | None:
    if isinstance(constraint, dict) and "start_date" in constraint:
        try:
            return date.fromisoformat(str(constraint["start_date"]))
        except ValueError:
            raise _Skip(f"start_date: {constraint['start_date']!r} is not a date") from None
    return None


def _hours(constraint) -> tuple[int, int] | None:
    """A time-of-day constraint as (start, end) minutes of the UTC day."""
    if not (isinstance(constraint, dict) and "start_time" in constraint):
        return None
    minutes = []
    for field in ("start_time", "end_time"):
        try:
            moment = time.fromisoformat(str(constraint[field]).replace("Z", "+00:00"))
        except (KeyError, ValueError):
            raise _Skip(f"{field}: not a time of day") from None
        if moment.tzinfo is not None:
            moment = datetime.combine(date(2000, 1, 1), moment).astimezone(UTC).time()
        if moment.second or moment.microsecond:
            raise _Skip(f"{field}: {constraint[field]} is not on a whole minute")
        minutes.append(moment.hour * 60 + moment.minute)
    return minutes[0], minutes[1]


def _history(model: dict, ctx: _Context) -> list[dict]:
    """The model's entries: one per span between start dates (of prices or variants), as
    genai-prices' lookup prices each day of it; equal neighbours merged."""
    conds = _conditions(model)
    variants = _variants(model, ctx)
    spans = _span_starts(conds, variants)
    entries: list[dict] = []
    for index, day in enumerate(spans):
        entry = _entry_on(day, conds, variants, ctx)
        end = spans[index + 1] if index + 1 < len(spans) else None
        if end is not None:
            entry["valid_until"] = _midnight(end)
        if entries and _same(entries[-1], entry):
            _extend(entries[-1], entry)
        else:
            entries.append(entry)
    return entries


def _conditions(model: dict) -> list[dict]:
    """The model's conditional price sets (a bare price set is one with no constraint);
    each constraint a start date or hours of the day."""
    raw = model.get("prices")
    conds = raw if isinstance(raw, list) else [{"prices": raw}]
    if not conds or not all(
        isinstance(c, dict) and isinstance(c.get("prices"), dict) for c in conds
    ):
        raise _Skip("prices: none, or not price sets")
    for cond in conds:
        c = cond.get("constraint")
        if c is not None and _day(c) is None and _hours(c) is None:
            raise _Skip(f"constraint: {json.dumps(c, default=str)} is not a start date or hours")
    return conds


def _span_starts(conds: list[dict], variants) -> list[date | None]:
    """The day each span starts (None: before any start date), in order."""
    dated = {_day(c.get("constraint")) for c in conds} | {start for start, *_ in variants}
    starts = sorted(d for d in dated if d is not None)
    if any(_day(c.get("constraint")) is None for c in conds):
        return [None, *starts]
    # every price dated: the first start is the release (no fallback before it)
    first = min(_day(c.get("constraint")) for c in conds)
    return [d for d in starts if d >= first]


def _extend(entry: dict, same: dict) -> None:
    """Let `entry` run on to where its equal successor `same` ends."""
    entry.pop("valid_until", None)
    if "valid_until" in same:
        entry["valid_until"] = same["valid_until"]


def _same(a: dict, b: dict) -> bool:
    ignore = ("valid_from", "valid_until", "note", "confidence")
    return {k: v for k, v in a.items() if k not in ignore} == {
        k: v for k, v in b.items() if k not in ignore
    }


def _entry_on(day: date | None, conds, variants, ctx: _Context) -> dict:
    """The entry in force from `day` (None: before any start date) to the next start."""
    base, windows = _standard_on(day, conds)
    fields = _fields(base, ctx)
    rates, tiers = _rate_sets(fields)
    entry: dict[str, Any] = {
        "published": ctx.published,
        "valid_from": UNDATED if day is None else _midnight(day),
        "kind": "list",
        "source": [SOURCE],
        "confidence": "medium",
        "note": (
            "genai-prices gives no start: valid from 1970-01-01 stands for undated"
            if day is None
            else "genai-prices starts it on this UTC day (from midnight)"
        ),
        "rates": {"USD": rates},
    }
    window_docs = [(name, hours, _fields(w, ctx)) for name, hours, w in windows]
    if tiers and window_docs:
        raise _Skip("prices: long-context tiers and time windows together")
    if tiers:
        entry["tiers"] = tiers
    if window_docs:
        entry["windows"] = [_window_doc(name, hours, f) for name, hours, f in window_docs]
    tiers_sold = {}
    for name, overrides in _variants_on(day, variants).items():
        variant = _variant_doc(fields, window_docs, _fields(overrides, ctx))
        if variant is not None:
            tiers_sold[name] = variant
    if tiers_sold:
        entry["variants"] = tiers_sold
    return entry


def _standard_on(day: date | None, conds: list[dict]):
    """genai-prices' choice on `day`: the last price in force all day (else the first), and
    the time-of-day prices listed after it as windows, later ones winning overlaps."""
    chosen = 0
    for index in range(len(conds) - 1, -1, -1):
        constraint = conds[index].get("constraint")
        start = _day(constraint)
        if constraint is None or (start is not None and day is not None and start <= day):
            chosen = index
            break
    else:
        chosen = -1  # none in force all day: outside the windows, the first price
    covered: list[tuple[int, int]] = []
    windows = []
    for index in range(len(conds) - 1, chosen, -1):
        hours = _hours(conds[index].get("constraint"))
        if hours is None:
            continue
        spans = _subtract(_ranges(*hours), covered)
        covered += _ranges(*hours)
        if spans:
            name = f"{_clock(hours[0])}-{_clock(hours[1])} UTC"
            windows.append((name, spans, conds[index]["prices"]))
    return conds[max(chosen, 0)]["prices"], list(reversed(windows))


def _ranges(start: int, end: int) -> list[tuple[int, int]]:
    """A daily window in minutes as ranges within one day (a wrapping one split in two)."""
    if start == end:
        return []  # genai-prices: start <= t < end never holds
    if end < start:
        return [(start, 1440), *([(0, end)] if end else [])]
    return [(start, end)]


def _subtract(ranges, covered) -> list[tuple[int, int]]:
    out = list(ranges)
    for c0, c1 in covered:
        pieces = [((a, min(b, c0)), (max(a, c1), b)) for a, b in out]
        out = [(a, b) for pair in pieces for a, b in pair if a < b]
    return sorted(out)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _window_doc(name: str, spans, fields) -> dict:
    rates, tiers = _rate_sets(fields)
    if tiers:
        raise _Skip("prices: long-context tiers and time windows together")
    hours = [f"{_clock(a)}-{_clock(b)}" for a, b in spans]
    return {"name": name, "hours_utc": hours, "rates": {"USD": rates}}


def _variants(model: dict, ctx: _Context) -> list[tuple[date | None, str, dict]]:
    """(start day, llmcost tier, partial prices) of each variant llmcost can hold, in the
    file's order; the rest listed."""
    raw = model.get("price_variants") or []
    names = dict(TIERS)
    contexts: dict[str, tuple[str, str]] = {}  # tier -> the `when` that gives it
    kept = []
    for variant in raw if isinstance(raw, list) else []:
        when = variant.get("when") if isinstance(variant, dict) else None
        pair = next(iter(when.items())) if isinstance(when, dict) and len(when) == 1 else None
        name = names.get(pair) if pair is not None else None
        if name is None or not isinstance(variant.get("prices"), dict):
            ctx.lost(f"variant: when {json.dumps(when)} has no llmcost service tier")
            continue
        if contexts.setdefault(name, pair) != pair:
            kept_when = json.dumps(dict([contexts[name]]))
            ctx.lost(f"variant: when {json.dumps(when)} is also tier {name!r} (kept {kept_when})")
            continue
        constraint = variant.get("constraint")
        if constraint is not None and _day(constraint) is None:
            ctx.lost(f"variant: when {json.dumps(when)} only at some hours; not modelled")
            continue
        kept.append((_day(constraint), name, variant["prices"]))
    return kept


def _variants_on(day: date | None, variants) -> dict[str, dict]:
    """Each tier's overrides on `day`: the first variant in force gives each rate."""
    tiers: dict[str, dict] = {}
    for start, name, prices in variants:
        if start is not None and (day is None or start > day):
            continue
        overrides = tiers.setdefault(name, {})
        for key, value in prices.items():
            if value is not None:
                overrides.setdefault(key, value)
    return tiers


def _variant_doc(fields: dict, windows, overrides: dict) -> dict | None:
    """A service tier as full rates: the entry's, with the variant's given ones replacing
    them (genai-prices' semantics); None for `default` with nothing changed."""
    if not overrides:
        return None  # e.g. `service_tier: default`: the standard rates themselves
    rates, tiers = _rate_sets({**fields, **overrides})
    doc: dict[str, Any] = {"rates": {"USD": rates}}
    if tiers:
        if windows:
            raise _Skip("prices: long-context tiers and time windows together")
        doc["tiers"] = tiers
    if windows:
        doc["windows"] = [
            _window_doc(name, hours, {**f, **overrides}) for name, hours, f in windows
        ]
    return doc


def _fields(prices: dict, ctx: _Context) -> dict:
    """genai-prices' rates under llmcost's names; keys llmcost lacks are listed."""
    out: dict[str, Any] = {}
    for key, value in prices.items():
        if value is None:
            continue
        kind = RATES.get(key)
        if kind is None:
            ctx.lost(f"rate dropped: {key} has no llmcost rate kind")
            continue
        if kind in out and key == "cache_write_5m_mtok":
            if out[kind] != value:
                ctx.lost("rate dropped: cache_write_5m_mtok differs from cache_write_mtok")
            continue
        out[kind] = value
    return out


def _rate_sets(fields: dict) -> tuple[dict, list[dict]]:
    """Rates and long-context tiers from per-rate prices: one tier per distinct threshold
    of any rate, each rate at its price for inputs just over that threshold."""
    plain: dict[str, Decimal] = {}
    tiered: dict[str, list[tuple[int, Decimal]]] = {}
    for kind, value in fields.items():
        if isinstance(value, dict):
            plain[kind] = _money(value.get("base"))
            steps = value.get("tiers")
            if not isinstance(steps, list):
                raise _Skip(f"{kind}: tiered price without tiers")
            tiered[kind] = sorted((_start(t), _money(t.get("price"))) for t in steps)
        else:
            plain[kind] = _money(value)
    if "input_mtok" not in plain or "output_mtok" not in plain:
        raise _Skip("prices: no input and output token rates (llmcost needs both)")
    thresholds = sorted({start for steps in tiered.values() for start, _ in steps})
    tiers = []
    for threshold in thresholds:
        rates = dict(plain)
        for kind, steps in tiered.items():
            for start, price in steps:
                if start <= threshold:
                    rates[kind] = price
        tiers.append({"above_input_tokens": threshold, "rates": {"USD": _ordered(rates)}})
    return _ordered(plain), tiers


def _start(step) -> int:
    start = step.get("start") if isinstance(step, dict) else None
    if not isinstance(start, int) or isinstance(start, bool) or start <= 0:
        raise _Skip(f"tier start: {start!r} is not a positive number of tokens")
    return start


def _ordered(rates: dict) -> dict:
    order = list(dict.fromkeys(RATES.values()))
    return {k: rates[k] for k in order if k in rates}


def _money(value) -> Decimal:
    """A price exactly, written with its own digits: `8`, `0.0000001`, never `1E-7`."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise _Skip(f"price: {value!r} is not a number")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise _Skip(f"price: {value!r} is not a number") from None
    if not amount.is_finite() or amount < 0:
        raise _Skip(f"price: {value} is not a price")
    if amount > MAX_PRICE:  # before making it an int: 1e999999 has a million digits
        raise _Skip(f"price: {value} is over {MAX_PRICE}, the catalog's most")
    if amount == amount.to_integral_value():
        return Decimal(int(amount))
    if -amount.as_tuple().exponent > MAX_PLACES:
        raise _Skip(f"price: {value} has more than {MAX_PLACES} decimal places")
    return Decimal(format(amount, "f"))


# -- names across the file -----------------------------------------------------------------------


def offering_key(provider: str, model: dict) -> str:
    """The key llmcost will give a model document (`lookup.offering_key`)."""
    maker = model.get("maker")
    return model["id"] if maker is None or maker == provider else f"{provider}/{model['id']}"


def _unique_keys(imported: Imported) -> None:
    """One offering per key in the whole import and one per name within a provider, as
    `load` requires: later duplicates are left out, aliases naming another offering
    dropped (genai-prices' first match wins there too)."""
    keys: dict[str, str] = {}
    for pid, doc in imported.files.items():
        names: dict[str, str] = {}
        kept = []
        for model in doc["models"]:
            key = offering_key(pid, model)
            ref = f"{pid}:{model['id']}"
            other = keys.get(key) or names.get(fold(model["id"]))
            if other is not None:
                imported.unmapped.append((ref, f"duplicate: its key is also {other}'s; left out"))
                continue
            keys[key] = ref
            names[fold(model["id"])] = ref
            kept.append(model)
        for model in kept:
            ref = f"{pid}:{model['id']}"
            aliases = []
            for alias in model.get("aliases", []):
                owner = names.setdefault(fold(alias), ref)
                if owner == ref:
                    aliases.append(alias)
                else:
                    imported.unmapped.append((ref, f"alias: {alias!r} also names {owner}; dropped"))
            _set_aliases(model, aliases)
        doc["models"] = kept
    for pid in [p for p, doc in imported.files.items() if not doc["models"]]:
        del imported.files[pid]


def _set_aliases(model: dict, aliases: list[str]) -> None:
    if aliases:
        model["aliases"] = aliases
    else:
        model.pop("aliases", None)


# -- as an overlay -------------------------------------------------------------------------------


def fit_over(imported: Imported, below, *, extend: bool = True) -> Imported:
    """Make `imported` load as a layer above the catalog `below` (a `Catalog`).

    An imported model is the lower catalog's offering when that provider has one with the
    same id (or the key is the same). A layer may only add prices and aliases to an
    offering a lower one defines, and the lower layer's history is kept: for such an
    offering only the imported entries that start after the lower layer's last
    `valid_from` for it are added (the import then only tells what changed since), with
    the aliases no other offering of that provider carries. `extend=False` leaves such
    offerings out instead (for files that join `below`'s own layer, where an offering is
    defined once). An imported offering whose key names another provider's offering
    below, a host's offering below (a layer cannot extend it: extending takes the bare
    `id`), or whose id another offering there carries, is left out and listed. Changes
    `imported` in place and returns it.
    """
    from llmcost.catalog.lookup import names_of

    defined = {info.key: info for info in below.models()}
    by_id = {(info.provider, info.model.id): info for info in below.models()}
    taken: dict[tuple[str, str], str] = {}  # (provider, folded name) -> key below
    for info in below.models():
        for name in names_of(info):
            taken.setdefault((info.provider, fold(name)), info.key)
    for pid, doc in list(imported.files.items()):
        kept = []
        for model in doc["models"]:
            ref = f"{pid}:{model['id']}"
            key = offering_key(pid, model)
            info = by_id.get((pid, model["id"]), defined.get(key))
            try:
                if info is None:
                    kept.append(_new_over(pid, key, model, taken))
                elif not extend:
                    imported.unmapped.append((ref, f"below: {info.key} is defined there; left out"))
                else:
                    extension = _extension(pid, info, model, taken)
                    if extension is not None:
                        kept.append(extension)
                    else:
                        imported.unmapped.append((ref, f"below: {key} known there; nothing newer"))
            except _Skip as reason:
                imported.unmapped.append((ref, str(reason)))
        doc["models"] = kept
        if not kept:
            del imported.files[pid]
    return imported


def _new_over(pid: str, key: str, model: dict, taken) -> dict:
    owner = taken.get((pid, fold(model["id"])))
    if owner is not None:
        raise _Skip(f"below: its id names {owner} there; left out")
    _set_aliases(model, [a for a in model.get("aliases", []) if (pid, fold(a)) not in taken])
    return model


def _extension(pid: str, info, model: dict, taken) -> dict | None:
    if info.provider != pid:
        raise _Skip(f"below: {info.key} is {info.provider}'s offering there; left out")
    if not info.first_party:
        raise _Skip(f"below: {info.key} is a host's offering there; a layer cannot extend it")
    last = max(entry.valid_from for entry in info.model.prices)
    entries = [e for e in model["prices"] if e["valid_from"] > last]
    if not entries:
        return None
    out: dict[str, Any] = {"id": model["id"], "prices": entries}
    mine = [a for a in model.get("aliases", []) if taken.get((pid, fold(a)), info.key) == info.key]
    _set_aliases(out, mine)
    return out


def reasons(imported: Imported) -> Counter:
    """How often each kind of reason occurs in `unmapped` (the part before the colon)."""
    return Counter(reason.split(":", 1)[0] for _, reason in imported.unmapped)
