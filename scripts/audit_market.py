"""Audit the shipped catalog against every name the peers know, as a user would check it.

    python scripts/audit_market.py             # the counts
    python scripts/audit_market.py --list KIND # and every row of one kind (e.g. silent)

Every LiteLLM 1.110.2 text key (mode chat, completion, responses), as written
(`bedrock/us.anthropic.claude-...`, `vertex_ai/gemini-...`, `openrouter/...`, bare `gpt-...`),
and every genai-prices 0.2.5 name (`provider/model` for each model id and each plain string
of its `match` clause: `equals`, `starts_with`, `contains`, `ends_with`) is resolved with
`Catalog.resolve` in the repository's catalog, and the offering found is compared with what
the peer itself bills for that name at `AT`: the provider and the standard rates (input,
cache read, cache write, output per 1M tokens, an absent cache rate billed as input).
genai-prices' own lookup decides which of its models a name means (the first model of the
provider whose clause matches, then its fallback providers), so a pattern string that an
earlier model catches is compared with that model.

Each name lands in one kind:

- `agrees`: the provider the peer bills and the same rates (or neither prices it at `AT`);
- `disagrees, said`: other rates, and the catalog says why: a curated entry (its own
  sourced figures win on purpose), or an entry in force marked `confidence = "low"` whose
  note names the peer's figures (`pricing/market/DISAGREEMENTS.md`);
- `silent`: other rates, nothing said;
- `bare name: maker's`: a bare name (no provider in it) that a host's entry of the peer
  carries (LiteLLM's bare `gemini-*` keys are Vertex's) resolves to the maker's offering,
  as llmcost defines a bare name; `vertex_ai/gemini-*` names the host's;
- `other provider's id`: the peer's own offering is not in the catalog (listed in
  `UNMAPPED.txt`) and the name, written in full, is another provider's own id for its
  offering (`deepseek/deepseek-chat-v3-0324` is OpenRouter's model id);
- `other provider`: the name resolves to another provider's offering than the peer means;
- `unresolved, listed` / `unresolved`: no offering, listed in `UNMAPPED.txt` or not;
- `ambiguous`: the catalog refuses the name as meaning several offerings;
- `peer has no token price`: the peer's entry bills no input and output per token at all.

The peers' prices are read by the small evaluator below, written for this audit and the
differential tests (`tests/test_market.py`); it shares no code with the importers, so an
importer's mistake cannot hide in both.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
PRICING = ROOT / "pricing"
MARKET = PRICING / "market"
GP_FILE = PRICING / "peers" / "genai-prices-0.2.5.json"
LL_FILE = PRICING / "peers" / "litellm-1.110.2.json"
AT = datetime(2026, 12, 6, 12, tzinfo=UTC)
MTOK = Decimal(10) ** 6
COMPARED = ("input_mtok", "cache_read_mtok", "cache_write_mtok", "output_mtok")
TEXT_MODES = ("chat", "completion", "responses")
LL_KEY = re.compile(r"^LiteLLM 1\.110\.2 key (\S+?)\.?(?:\s|$)")  # a LiteLLM offering's note
KINDS = (
    "agrees",
    "disagrees, said",
    "silent",
    "bare name: maker's",
    "other provider's id",
    "other provider",
    "unresolved, listed",
    "unresolved",
    "ambiguous",
    "peer has no token price",
)


# -- the peers' raw data ------------------------------------------------------------------------


@cache
def gp_data() -> list[dict]:
    return json.loads(GP_FILE.read_bytes(), parse_float=Decimal)


@cache
def gp_raw() -> dict[str, dict]:
    """genai-prices' models by `provider:model`."""
    return {f"{p['id']}:{m['id']}": m for p in gp_data() for m in p["models"]}


@cache
def ll_raw() -> dict[str, dict]:
    return json.loads(LL_FILE.read_bytes(), parse_float=Decimal)


# -- an independent evaluator of genai-prices' data ---------------------------------------------


def gp_prices_at(model: dict, at: datetime) -> dict | None:
    """The price set genai-prices applies at `at`: the last active conditional price; None
    before the first when every price is dated (llmcost: not yet released)."""
    prices = model["prices"]
    if isinstance(prices, dict):
        return prices
    for conditional in reversed(prices):
        constraint = conditional.get("constraint") or {}
        if "start_date" in constraint:
            if date.fromisoformat(constraint["start_date"]) <= at.date():
                return conditional["prices"]
        elif "start_time" in constraint:
            start = time.fromisoformat(constraint["start_time"][:8])
            end = time.fromisoformat(constraint["end_time"][:8])
            now = at.time()
            inside = start <= now < end if start < end else (now >= start or now < end)
            if inside:
                return conditional["prices"]
        else:
            return conditional["prices"]
    if all("start_date" in (c.get("constraint") or {}) for c in prices):
        return None
    return prices[0]["prices"]


def gp_rate(value, prompt: int) -> Decimal | None:
    """A genai-prices rate for a prompt of `prompt` tokens: a cliff tier applies to every
    token once the prompt is over its start."""
    if value is None or not isinstance(value, dict):
        return value
    rate = value["base"]
    for tier in value["tiers"]:
        if prompt > tier["start"]:
            rate = tier["price"]
    return rate


def gp_rates(model: dict, at: datetime, prompt: int) -> dict | None:
    prices = gp_prices_at(model, at)
    if prices is None:
        return None
    write = prices.get("cache_write_mtok", prices.get("cache_write_5m_mtok"))
    rates = {
        "input_mtok": gp_rate(prices.get("input_mtok"), prompt),
        "cache_read_mtok": gp_rate(prices.get("cache_read_mtok"), prompt),
        "cache_write_mtok": gp_rate(write, prompt),
        "output_mtok": gp_rate(prices.get("output_mtok"), prompt),
    }
    out = billed(rates)
    if out is not None and prices.get("requests_kcount") is not None:
        out["request_kcount"] = Decimal(prices["requests_kcount"])  # a fee per 1,000 requests
    return out


def gp_thresholds(model: dict) -> set[int]:
    prices = model["prices"]
    sets = [prices] if isinstance(prices, dict) else [c["prices"] for c in prices]
    return {
        tier["start"]
        for price_set in sets
        for value in price_set.values()
        if isinstance(value, dict) and "tiers" in value
        for tier in value["tiers"]
    }


def gp_matches(clause: dict, name: str) -> bool:
    """genai-prices' `match` clause on a (lower-cased) model ref, as its `is_match` does."""
    text = name.lower()
    if "or" in clause:
        return any(gp_matches(c, name) for c in clause["or"])
    if "and" in clause:
        return all(gp_matches(c, name) for c in clause["and"])
    if "equals" in clause:
        return text == clause["equals"].lower()
    if "starts_with" in clause:
        return text.startswith(clause["starts_with"].lower())
    if "ends_with" in clause:
        return text.endswith(clause["ends_with"].lower())
    if "contains" in clause:
        return clause["contains"].lower() in text
    if "regex" in clause:
        return re.search(clause["regex"], text) is not None
    raise ValueError(f"unknown match clause {clause}")


def gp_plain_names(clause: dict) -> list[str]:
    """The plain strings of a clause that are names themselves (not regexes, not `and`)."""
    if "or" in clause:
        return [n for c in clause["or"] for n in gp_plain_names(c)]
    for kind in ("equals", "starts_with", "ends_with", "contains"):
        if kind in clause:
            return [clause[kind]]
    return []


def gp_find(provider_id: str, name: str) -> tuple[str, dict] | None:
    """The model genai-prices' lookup picks for `name` at a provider: the first whose clause
    matches, else the first at its fallback providers; (its ref, the model)."""
    providers = {p["id"]: p for p in gp_data()}

    def first(pid: str) -> tuple[str, dict] | None:
        for model in providers[pid]["models"]:
            if gp_matches(model.get("match") or {"equals": model["id"]}, name):
                return f"{pid}:{model['id']}", model
        return None

    found = first(provider_id)
    for other in providers[provider_id].get("fallback_model_providers") or ():
        found = found or first(other)
    return found


# -- an independent evaluator of LiteLLM's data -------------------------------------------------

LL_FIELDS = {
    "input_mtok": "input_cost_per_token",
    "cache_read_mtok": "cache_read_input_token_cost",
    "cache_write_mtok": "cache_creation_input_token_cost",
    "output_mtok": "output_cost_per_token",
}
ABOVE = re.compile(r"^(\w+?)_above_(\d+)k_tokens$")


def ll_thresholds(entry: dict) -> set[int]:
    """Prompt sizes where LiteLLM's rates change: `_above_Nk_tokens` keys, range starts."""
    found = {int(m.group(2)) * 1000 for k in entry if (m := ABOVE.match(k))}
    found |= {int(r["range"][0]) for r in entry.get("tiered_pricing", []) if r["range"][0] > 0}
    return found


def ll_entry(key: str) -> dict:
    """A key's entry, an `alias_of` one read through to its target."""
    entry = ll_raw()[key]
    while "alias_of" in entry and entry["alias_of"] in ll_raw():
        own = {k: v for k, v in entry.items() if k != "alias_of"}
        entry = {**ll_raw()[entry["alias_of"]], **own}
    return entry


def ll_rates(key: str, at: datetime, prompt: int, *, retire: bool = True) -> dict | None:
    """LiteLLM's rates for `key`; with `retire`, none from its `deprecation_date` on (as the
    importer retires it; LiteLLM's own cost calculator goes on billing the rates)."""
    entry = ll_entry(key)
    retired = entry.get("deprecation_date")
    if retire and retired is not None and at >= ll_retired(entry):
        return None
    values = _ll_band_values(entry, prompt)
    _ll_above_thresholds(entry, prompt, values)
    off_peak = entry.get("off_peak_pricing")
    if off_peak is not None and _off_peak(off_peak, at):
        values.update({k: v for k, v in off_peak.items() if k in LL_FIELDS.values()})
    rates = {ours: values.get(theirs) for ours, theirs in LL_FIELDS.items()}
    rates = {k: None if v is None else Decimal(v) * MTOK for k, v in rates.items()}
    provider = entry.get("litellm_provider", "")
    if provider.startswith("fireworks_ai") and rates["cache_read_mtok"] is None:
        rates["cache_read_mtok"] = rates["input_mtok"] / 2  # LiteLLM's Fireworks rule
    return billed(rates)


def _ll_band_values(entry: dict, prompt: int) -> dict:
    """The entry's fields with the `tiered_pricing` band that holds `prompt` over them."""
    values = dict(entry)
    for band in entry.get("tiered_pricing", []):
        low, high = band["range"]
        if low < prompt <= high or (low == 0 and prompt <= high):
            values.update({k: v for k, v in band.items() if k != "range"})
    return values


def _ll_above_thresholds(entry: dict, prompt: int, values: dict) -> None:
    """Each family's rate from its highest `..._above_Nk_tokens` threshold `prompt` passes."""
    inclusive = entry.get("litellm_provider") == "xai"  # xAI bills the tier from N on
    for family in LL_FIELDS.values():
        best = -1
        for k in entry:
            m = ABOVE.match(k)
            if m and m.group(1) == family:
                n = int(m.group(2)) * 1000
                if (prompt >= n if inclusive else prompt > n) and n > best:
                    best, values[family] = n, entry[k]


def ll_retired(entry: dict) -> datetime | None:
    retired = entry.get("deprecation_date")
    return None if retired is None else datetime.fromisoformat(retired).replace(tzinfo=UTC)


def _off_peak(block: dict, at: datetime) -> bool:
    local = at.astimezone(ZoneInfo(block.get("weekday_timezone") or "UTC"))
    windows = block.get("windows") or [{"hours_utc": block.get("hours_utc")}]
    for window in windows:
        days = window.get("weekdays") or range(1, 8)
        hours = window["hours_utc"]
        spans = [hours] if isinstance(hours, str) else hours
        if local.isoweekday() not in days:
            continue
        for span in spans:
            start, end = (time.fromisoformat(s.strip()) for s in span.split("-"))
            now = at.time()  # the hours are UTC, the weekday the zone's
            if start == end or (start <= now < end if start < end else now >= start or now < end):
                return True
    return False


def billed(rates: dict) -> dict | None:
    """Rates as llmcost bills them: an absent cache rate is the input rate."""
    if rates["input_mtok"] is None or rates["output_mtok"] is None:
        return None
    for k in ("cache_read_mtok", "cache_write_mtok"):
        if rates[k] is None:
            rates[k] = rates["input_mtok"]
    return {k: Decimal(v) for k, v in rates.items()}


NOISE = Decimal("1e-9")  # per 1M tokens: LiteLLM's binary-float residue (0.9499999999999999)


def same_rates(a: dict | None, b: dict | None) -> bool:
    """Equal standard rates, a difference under `NOISE` being a float's residue: LiteLLM
    writes 0.95 per 1M as 9.499999999999999e-07 per token."""
    if a is None or b is None:
        return a is b
    return all(abs(a[k] - b[k]) < NOISE for k in COMPARED)


def figures(rates: dict) -> str:
    return " / ".join(f"{rates[k].normalize():f}" for k in COMPARED)


# -- the names ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Name:
    """A name a peer knows, the provider the peer bills under it, its rates at `AT`."""

    peer: str  # "litellm" or "genai-prices"
    name: str  # as a user writes it to llmcost
    provider: str  # the peer's provider id
    ref: str  # the peer's key or provider:model the name means
    listed_as: tuple[str, ...]  # how UNMAPPED.txt would list it
    rates: dict | None  # standard rates at AT, None: no price then
    priced: bool  # the peer bills it per token at all


def litellm_names() -> list[Name]:
    """Every LiteLLM text key, as written."""
    out = []
    for key, entry in ll_raw().items():
        if key == "sample_spec" or not isinstance(entry, dict):
            continue
        entry = ll_entry(key)
        if entry.get("mode") not in TEXT_MODES or not isinstance(
            entry.get("litellm_provider"), str
        ):
            continue
        priced = "tiered_pricing" in entry or (
            entry.get("input_cost_per_token") is not None
            and entry.get("output_cost_per_token") is not None
        )
        rates = ll_rates(key, AT, 1000, retire=False) if priced else None
        out.append(
            Name("litellm", key, entry["litellm_provider"], key, (f"litellm {key}",), rates, priced)
        )
    return out


def genai_prices_names() -> list[Name]:
    """Every genai-prices model id and plain match string, as `provider/name`."""
    out, seen = [], set()
    for provider in gp_data():
        pid = provider["id"]
        for model in provider["models"]:
            names = [model["id"], *gp_plain_names(model.get("match") or {})]
            for name in dict.fromkeys(names):
                if (pid, name.lower()) in seen:
                    continue
                seen.add((pid, name.lower()))
                found = gp_find(pid, name)
                if found is None:
                    continue
                ref, picked = found
                prices = gp_prices_at(picked, AT)
                priced = prices is None or (
                    prices.get("input_mtok") is not None and prices.get("output_mtok") is not None
                )
                rates = gp_rates(picked, AT, 1000) if priced else None
                listed = (f"genai-prices {ref}", ref.replace(":", ":", 1))
                out.append(Name("genai-prices", f"{pid}/{name}", pid, ref, listed, rates, priced))
    return out


# -- the audit ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    kind: str
    name: Name
    key: str | None = None  # the offering it resolved to
    got: dict | None = None  # its rates at AT
    why: str = ""


def catalog_rates(catalog, key: str) -> dict | None:
    """The offering's standard rates at `AT` for a small prompt, as llmcost bills them."""
    from llmcost.engine import select_rates

    info = catalog.info(key)
    if info.model.retired is not None and info.model.retired <= AT:
        return None
    entry = catalog.priced_entry(key, AT)
    if entry is None or "USD" not in entry.rates:
        return None
    rates, _ = select_rates(entry, "USD", AT, Decimal(1000))
    out = {k: getattr(rates, k) for k in COMPARED}
    for k in ("cache_read_mtok", "cache_write_mtok"):
        if out[k] is None:
            out[k] = out["input_mtok"]
    return {k: Decimal(v) for k, v in out.items()}


def peer_provider(catalog, name: Name) -> str:
    """The catalog's provider for the provider the peer bills under the name."""
    pid = name.provider
    if name.peer == "litellm":
        from llmcost.catalog.importers.litellm import provider_of

        pid = provider_of(pid)[0]
        return catalog.provider_id(pid) or catalog.provider_id(name.provider) or pid
    return catalog.provider_id(pid) or pid


def fold_name(name: str) -> str:
    from llmcost.catalog.names import fold

    return fold(name)


@cache
def unmapped_reasons() -> dict[str, tuple[str, ...]]:
    """`UNMAPPED.txt` as peer key -> the reasons it gives."""
    lines = (MARKET / "UNMAPPED.txt").read_text(encoding="utf-8").splitlines()[1:]
    return reasons_by_key(line.partition("\t")[::2] for line in lines)


def reasons_by_key(pairs) -> dict[str, tuple[str, ...]]:
    reasons: dict[str, tuple[str, ...]] = {}
    for key, reason in pairs:
        reasons[key] = (*reasons.get(key, ()), reason)
    return reasons


def said(catalog, key: str, theirs: dict, name: Name, unmapped) -> str | None:
    """Why the catalog bills other rates than the peer, if it says so."""
    info = catalog.info(key)
    if info.file.parent == PRICING:
        return f"curated in {info.file.name}"
    for listed in name.listed_as:
        for reason in unmapped.get(listed, ()):
            if "with other prices" in reason:  # LiteLLM gives one offering two prices
                return f"UNMAPPED.txt: {listed}: {reason}"
    entry = catalog.entry_at(key, AT)
    if entry is not None and entry.confidence == "low" and figures(theirs) in (entry.note or ""):
        return "said in its entry and DISAGREEMENTS.md"
    return None


def bare(name: Name) -> bool:
    """A LiteLLM key without its provider's prefix (`gemini-2.5-flash`, Vertex's)."""
    if name.peer != "litellm":
        return False
    from llmcost.catalog.importers.litellm import _strip_provider, provider_of

    return _strip_provider(name.name, provider_of(name.provider)[0], name.provider) == name.name


def _unknown(name: str):
    from llmcost.errors import UnknownModel

    return UnknownModel(f"unknown model {name!r}")


def audit_one(catalog, name: Name, unmapped=None) -> Row:
    """The kind of one peer name; `unmapped`: peer key -> reasons listed (default: the
    committed `UNMAPPED.txt`; the build passes its own)."""
    from llmcost.errors import UnknownModel

    unmapped = unmapped_reasons() if unmapped is None else unmapped
    if not name.priced:
        return Row("peer has no token price", name)
    try:
        info = catalog.resolve(name.name)
    except UnknownModel as exc:
        return _unresolved(name, exc.message, unmapped)
    want = peer_provider(catalog, name)
    if info.provider != want:
        return _other_provider(name, info, want, unmapped)
    got = catalog_rates(catalog, info.key)
    theirs = None if name.rates is None else {k: name.rates[k] for k in COMPARED}
    if same_rates(got, theirs):
        return Row("agrees", name, info.key, got)
    model = info.model
    if got is None and model.retired is not None and model.retired <= AT:
        return _retired(name, info, got)
    return _disagreement(catalog, name, info.key, got, theirs, unmapped)


def _unresolved(name: Name, message: str, unmapped) -> Row:
    """A name the catalog does not resolve, or resolves to more than one model."""
    if "ambiguous" in message:
        return Row("ambiguous", name, why=message)
    listed = any(k in unmapped for k in name.listed_as)
    return Row("unresolved, listed" if listed else "unresolved", name, why=message)


def _disagreement(catalog, name: Name, key, got, theirs, unmapped) -> Row:
    """A name whose rates differ from the catalog's: said where a reason is written down."""
    if got is None or theirs is None:
        why = "the catalog has no price at AT" if got is None else "the peer has none at AT"
        curated = catalog.info(key).file.parent == PRICING
        reason = f"curated; {why}" if curated else None
        return Row("disagrees, said" if reason else "silent", name, key, got, reason or why)
    reason = said(catalog, key, theirs, name, unmapped)
    return Row("disagrees, said" if reason else "silent", name, key, got, reason or "")


def _other_provider(name: Name, info, want: str, unmapped) -> Row:
    """A name the catalog resolves at another provider than the peer's."""
    why = f"{info.provider}, not {want}"
    if info.first_party and bare(name):
        return Row("bare name: maker's", name, info.key, why=why)
    listed = any(k in unmapped for k in name.listed_as)
    if listed and fold_name(name.name) == fold_name(info.model.id):
        return Row("other provider's id", name, info.key, why=why)
    return Row("other provider", name, info.key, why=why)


def _retired(name: Name, info, got) -> Row:
    """A name the catalog has retired by AT: said where the retirement's source is known."""
    model = info.model
    why = f"retired at {model.retired:%Y-%m-%d}"
    ll_key = LL_KEY.search(model.note or "")
    if name.peer == "litellm" and ll_retired(ll_entry(name.ref)) == model.retired:
        why += " (LiteLLM's deprecation_date)"
    elif ll_key and ll_retired(ll_entry(ll_key.group(1))) == model.retired:
        why += f" (LiteLLM's deprecation_date of {ll_key.group(1)})"
    elif info.file.parent == PRICING:
        why += f" (curated in {info.file.name})"
    else:
        return Row("silent", name, info.key, got, why)
    return Row("disagrees, said", name, info.key, got, why)


def audit(catalog, unmapped=None) -> list[Row]:
    import copy

    catalog = copy.copy(catalog)  # the caller's keeps its spelling suggestions
    catalog._unknown = _unknown  # none here: difflib over thousands of misses takes minutes
    names = (*litellm_names(), *genai_prices_names())
    return [audit_one(catalog, n, unmapped) for n in names]


def counts(rows: list[Row]) -> dict[str, Counter]:
    out: dict[str, Counter] = {"litellm": Counter(), "genai-prices": Counter()}
    for row in rows:
        out[row.name.peer][row.kind] += 1
    return out


def show(row: Row) -> str:
    theirs = "-" if row.name.rates is None else figures(row.name.rates)
    ours = "-" if row.got is None else figures(row.got)
    return (
        f"{row.name.name}\t{row.name.ref}\t{row.key or '-'}\tpeer {theirs}\tours {ours}\t{row.why}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--list", choices=KINDS, action="append", default=[])
    parser.add_argument("--pricing", type=Path, default=PRICING)
    args = parser.parse_args(argv)
    from llmcost.catalog.load import load_catalog

    rows = audit(load_catalog(args.pricing))
    table = counts(rows)
    print(f"{'kind':<26}{'litellm':>9}{'genai-prices':>14}")
    for kind in KINDS:
        print(f"{kind:<26}{table['litellm'][kind]:>9}{table['genai-prices'][kind]:>14}")
    print(
        f"{'names':<26}{sum(table['litellm'].values()):>9}{sum(table['genai-prices'].values()):>14}"
    )
    for kind in args.list:
        for row in rows:
            if row.kind == kind:
                print(f"{kind}\t{show(row)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
