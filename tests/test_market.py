"""The shipped market catalog (`pricing/market/`) against the peers' own data.

The expected figures here come from a small evaluator of the peers' raw files
(`pricing/peers/`), written for these tests: plain per-token rates, dated prices, daily
windows and off-peak hours, and threshold tiers. It shares no code with the importers, so
an importer's mistake cannot hide in both.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from llmcost.catalog.load import load_catalog
from llmcost.engine import Workload, cost_at
from llmcost.errors import NotPriced

ROOT = Path(__file__).resolve().parent.parent
PRICING = ROOT / "pricing"
MARKET = PRICING / "market"
GP_FILE = PRICING / "peers" / "genai-prices-0.2.5.json"
LL_FILE = PRICING / "peers" / "litellm-1.110.2.json"
AT = datetime(2026, 12, 6, 12, tzinfo=UTC)
INSTANTS = (
    datetime(2026, 6, 1, tzinfo=UTC),
    datetime(2026, 10, 15, 12, tzinfo=UTC),
    AT,
)
MTOK = Decimal(10) ** 6
COMPARED = ("input_mtok", "cache_read_mtok", "cache_write_mtok", "output_mtok")
GP_NOTE = re.compile(r"genai-prices (\S+?:\S+?)(?:;|$)")
LL_NOTE = re.compile(r"LiteLLM 1\.110\.2 key (\S+?)(?:\.?\s|\.?$)")


# -- the peers' raw data ------------------------------------------------------------------------


@cache
def gp_raw() -> dict[str, dict]:
    """genai-prices' models by `provider:model`."""
    data = json.loads(GP_FILE.read_bytes(), parse_float=Decimal)
    return {f"{p['id']}:{m['id']}": m for p in data for m in p["models"]}


@cache
def ll_raw() -> dict[str, dict]:
    return json.loads(LL_FILE.read_bytes(), parse_float=Decimal)


@cache
def shipped():
    """The repository's catalog, by its path: an installed wheel's files live elsewhere, and
    these tests find the market files by where they are."""
    return load_catalog(PRICING)


def market_offerings():
    """The offerings the market files define, with the peer and raw key they came from."""
    out = []
    for info in shipped().models():
        if MARKET not in info.file.parents:
            continue
        note = info.model.note or ""
        found = GP_NOTE.search(note)
        if found:
            out.append((info, "gp", found.group(1)))
            continue
        found = LL_NOTE.search(note)
        assert found, f"{info.key}: its note names no peer key"
        out.append((info, "ll", found.group(1)))
    return out


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


def ll_rates(key: str, at: datetime, prompt: int) -> dict | None:
    entry = ll_raw()[key]
    retired = entry.get("deprecation_date")
    if retired is not None and at >= datetime.fromisoformat(retired).replace(tzinfo=UTC):
        return None
    values = dict(entry)
    for band in entry.get("tiered_pricing", []):
        low, high = band["range"]
        if low < prompt <= high or (low == 0 and prompt <= high):
            values.update({k: v for k, v in band.items() if k != "range"})
    inclusive = entry.get("litellm_provider") == "xai"  # xAI bills the tier from N on
    for family in LL_FIELDS.values():
        best = -1
        for k in entry:
            m = ABOVE.match(k)
            if m and m.group(1) == family:
                n = int(m.group(2)) * 1000
                if (prompt >= n if inclusive else prompt > n) and n > best:
                    best, values[family] = n, entry[k]
    off_peak = entry.get("off_peak_pricing")
    if off_peak is not None and _off_peak(off_peak, at):
        values.update({k: v for k, v in off_peak.items() if k in LL_FIELDS.values()})
    rates = {ours: values.get(theirs) for ours, theirs in LL_FIELDS.items()}
    rates = {k: None if v is None else Decimal(v) * MTOK for k, v in rates.items()}
    provider = entry.get("litellm_provider", "")
    if provider.startswith("fireworks_ai") and rates["cache_read_mtok"] is None:
        rates["cache_read_mtok"] = rates["input_mtok"] / 2  # LiteLLM's Fireworks rule
    return billed(rates)


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


def expected(rates: dict, w: Workload) -> Decimal:
    uncached = w.input - w.cached - w.cache_write
    return (
        uncached * rates["input_mtok"]
        + w.cached * rates["cache_read_mtok"]
        + w.cache_write * rates["cache_write_mtok"]
        + w.output * rates["output_mtok"]
    ) / MTOK + w.requests * rates.get("request_kcount", 0) / 1000


def peer_rates(peer: str, ref: str, at: datetime, prompt: int) -> dict | None:
    if peer == "gp":
        return gp_rates(gp_raw()[ref], at, prompt)
    return ll_rates(ref, at, prompt)


def workloads(info, peer: str, ref: str) -> list[Workload]:
    """A small request, and one just past each tier threshold that fits the window."""
    thresholds = gp_thresholds(gp_raw()[ref]) if peer == "gp" else ll_thresholds(ll_raw()[ref])
    out = [Workload(input=1000, cached=300, cache_write=200, output=500)]
    for threshold in sorted(thresholds):
        prompt = threshold + 1
        if prompt + 100 <= info.model.context_window:
            out.append(Workload(input=prompt, cached=prompt // 2, cache_write=1000, output=100))
    return out


def instants(info) -> list[datetime]:
    """The test instants, the offering's release (so that a retired one is priced once too),
    and a peak hour of a windowed offering (its first window's first hour, on the first of
    its weekdays after 2026-12-06)."""
    out = [*INSTANTS, info.model.released]
    entry = shipped().entry_at(info.key, AT)
    if entry is not None and entry.windows:
        window = entry.windows[0]
        start = window.hour_ranges()[0].start
        day = AT.date() + timedelta(days=1)
        days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        while days[day.weekday()] not in window.weekdays:
            day += timedelta(days=1)
        out.append(datetime.combine(day, start, tzinfo=UTC) + timedelta(minutes=30))
    return out


# -- the tests ----------------------------------------------------------------------------------


def test_market_is_broad():
    """Issue 11.1: at least 1,900 offerings over 45 providers priced at the instant."""
    priced = list(shipped().available(AT))
    assert len(priced) >= 1900
    assert len({i.provider for i in priced}) >= 45


def test_every_market_offering_costs_what_its_peer_says():
    """Issue 11.6: each offering of the market files, at several instants and workloads
    (cache reads and writes; a prompt just past each tier threshold), costs what the
    peer's raw data gives."""
    catalog = shipped()
    checked, mismatches, priced = 0, [], set()
    for info, peer, ref in market_offerings():
        for at in instants(info):
            for w in workloads(info, peer, ref):
                rates = peer_rates(peer, ref, at, int(w.input))
                try:
                    got = cost_at(catalog, info.key, w, at).total
                except NotPriced:
                    got = None
                want = None if rates is None else expected(rates, w)
                checked += 1
                if want is not None:
                    priced.add(info.key)
                if got != want:
                    mismatches.append((info.key, ref, at.isoformat(), int(w.input), got, want))
    assert not mismatches, f"{len(mismatches)} of {checked}: {mismatches[:10]}"
    assert len(priced) == len(market_offerings())  # every offering priced at least once


def test_curated_offerings_are_not_in_the_market_files():
    """The curated file wins: no market file defines an offering `pricing/*.toml` does
    (load would refuse a second definition in one layer; this says where they are)."""
    catalog = shipped()
    curated = {i.key for i in catalog.models() if i.file.parent == PRICING}
    assert curated
    assert all(i.file.parent == PRICING for i in catalog.models() if i.key in curated)


# -- disagreements ------------------------------------------------------------------------------


def standard(peer: str, ref: str) -> dict | None:
    """The standard token rates at the instant that the peers are compared on."""
    rates = peer_rates(peer, ref, AT, 1000)
    return None if rates is None else {k: rates[k] for k in COMPARED}


def figures(rates: dict) -> str:
    return " / ".join(f"{rates[k].normalize():f}" for k in COMPARED)


def listed_disagreements() -> dict[str, tuple[str, str, str, str]]:
    """DISAGREEMENTS.md's rows: offering -> (genai-prices ref, LiteLLM key, its figures)."""
    rows = {}
    for line in (MARKET / "DISAGREEMENTS.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 5 and cells[0] not in ("Offering", "---"):
            rows[cells[0]] = tuple(cells[1:])
    return rows


def matched_pairs() -> dict[str, list[str]]:
    """The LiteLLM keys the build left out because genai-prices has the offering (the
    build's UNMAPPED.txt), by that offering's key."""
    pairs: dict[str, list[str]] = {}
    for line in (MARKET / "UNMAPPED.txt").read_text().splitlines():
        key, _, reason = line.partition("\t")
        found = re.fullmatch(r"genai-prices has it as (.+); left out", reason)
        if key.startswith("litellm ") and found:
            pairs.setdefault(found.group(1), []).append(key.removeprefix("litellm "))
    return pairs


def test_every_disagreement_is_listed_and_said_in_its_entry():
    """Issue 11.2: every offering both peers price whose standard rates at the instant
    differ (recomputed here from the raw data) is in DISAGREEMENTS.md with both figures,
    and its entry in force then says low confidence and names both."""
    catalog = shipped()
    refs = {info.key: ref for info, peer, ref in market_offerings() if peer == "gp"}
    found = {}
    for key, ll_keys in matched_pairs().items():
        ours = standard("gp", refs[key])
        for ll_key in ll_keys:
            theirs = standard("ll", ll_key)
            if ours is not None and theirs is not None and ours != theirs:
                found[key] = (refs[key], ll_key, figures(ours), figures(theirs))
                break
    listed = listed_disagreements()
    assert set(listed) == set(found)
    assert len(listed) > 0
    for key, (gp_ref, ll_key, ours, theirs) in listed.items():
        assert gp_ref == refs[key]
        assert figures(standard("gp", gp_ref)) == ours
        assert figures(standard("ll", ll_key)) == theirs != ours
        entry = catalog.entry_at(key, AT)
        assert entry.confidence == "low"
        assert ours in entry.note and theirs in entry.note


def test_a_disagreement_keeps_genai_prices_figures():
    """Hand-checked: GLM-4.5's cache read is 0.11 in genai-prices and absent in LiteLLM
    (billed as input, 0.6); the catalog bills genai-prices' 0.11."""
    w = Workload(input=1_000_000, cached=1_000_000, output=0)
    assert cost_at(shipped(), "GLM-4.5", w, AT).total == Decimal("0.11")
    assert "0.6 / 0.11 / 0.6 / 2.2" in shipped().entry_at("GLM-4.5", AT).note


# -- the build ----------------------------------------------------------------------------------


def test_the_build_reproduces_the_committed_files(tmp_path):
    """`python scripts/build_market.py` from the committed inputs gives the committed
    market files (after a curated file changes, the build must be re-run)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import build_market
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    market = build_market.build(PRICING, PRICING / "peers")
    build_market.write(market, tmp_path)
    built = sorted(p.name for p in tmp_path.iterdir())
    committed = sorted(p.name for p in MARKET.iterdir())
    assert built == committed
    for name in built:
        assert (tmp_path / name).read_text() == (MARKET / name).read_text(), name
