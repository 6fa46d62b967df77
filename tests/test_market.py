"""The shipped market catalog (`pricing/market/`) against the peers' own data.

The expected figures here come from a small evaluator of the peers' raw files
(`pricing/peers/`) in `scripts/audit_market.py`, written for these tests and the audit: plain
per-token rates, dated prices, daily windows and off-peak hours, and threshold tiers. It shares
no code with the importers, so an importer's mistake cannot hide in both.
"""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from llmcost.catalog.load import load_catalog
from llmcost.engine import Workload, cost_at
from llmcost.errors import NotPriced

ROOT = Path(__file__).resolve().parent.parent
PRICING = ROOT / "pricing"
MARKET = PRICING / "market"
AT = datetime(2026, 12, 6, 12, tzinfo=UTC)
INSTANTS = (
    datetime(2026, 6, 1, tzinfo=UTC),
    datetime(2026, 10, 15, 12, tzinfo=UTC),
    AT,
)
MTOK = Decimal(10) ** 6
GP_NOTE = re.compile(r"genai-prices (\S+?:\S+?)(?:;|$)")
LL_NOTE = re.compile(r"LiteLLM 1\.110\.2 key (\S+?)(?:\.?\s|\.?$)")


# -- the peers' raw data and an independent evaluator of it (scripts/audit_market.py) --------


@cache
def audit_module():
    """scripts/audit_market.py: the peers' raw data, the evaluator and the audit."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import audit_market
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    return audit_market


def gp_raw() -> dict[str, dict]:
    return audit_module().gp_raw()


def ll_raw() -> dict[str, dict]:
    return audit_module().ll_raw()


def gp_rates(model: dict, at: datetime, prompt: int) -> dict | None:
    return audit_module().gp_rates(model, at, prompt)


def ll_rates(key: str, at: datetime, prompt: int, *, retire: bool = True) -> dict | None:
    return audit_module().ll_rates(key, at, prompt, retire=retire)


def gp_thresholds(model: dict) -> set[int]:
    return audit_module().gp_thresholds(model)


def ll_thresholds(entry: dict) -> set[int]:
    return audit_module().ll_thresholds(entry)


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
    peer's raw data gives, from the offering's release (the peers date no start; a host's
    offering of a curated model starts at its maker's release: the test below)."""
    catalog = shipped()
    checked, mismatches, priced = 0, [], set()
    for info, peer, ref in market_offerings():
        for at in instants(info):
            for w in workloads(info, peer, ref):
                rates = peer_rates(peer, ref, at, int(w.input))
                if at < info.model.released:  # a host's, before its maker released the model
                    rates = None
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
    """The standard token rates at the instant the peers are compared on (LiteLLM's as its
    own calculator bills them, past a deprecation date too)."""
    if peer == "gp":
        rates = gp_rates(gp_raw()[ref], AT, 1000)
    else:
        rates = ll_rates(ref, AT, 1000, retire=False)
    return None if rates is None else {k: rates[k] for k in audit_module().COMPARED}


def figures(rates: dict) -> str:
    return " / ".join(f"{rates[k].normalize():f}" for k in audit_module().COMPARED)


def listed_disagreements() -> list[tuple[str, ...]]:
    """DISAGREEMENTS.md's rows: (offering, genai-prices ref, LiteLLM key, genai-prices'
    figures, LiteLLM's figures, whose are kept)."""
    rows = []
    for line in (MARKET / "DISAGREEMENTS.md").read_text().splitlines():
        cells = tuple(c.strip() for c in line.strip("|").split("|"))
        if len(cells) == 6 and cells[0] not in ("Offering", "---"):
            rows.append(cells)
    return rows


@cache
def audit_rows():
    return audit_module().audit(shipped())


def rows_of(kind: str) -> list:
    return [r for r in audit_rows() if r.kind == kind]


def test_every_disagreement_is_listed_and_said_in_its_entry():
    """Issue 11.2: each row of DISAGREEMENTS.md is recomputed from the peers' raw data, and
    the entry in force says low confidence, both figures and whose are kept; it bills the
    kept peer's figures."""
    catalog = shipped()
    listed = listed_disagreements()
    assert len(listed) > 50
    for key, gp_ref, ll_key, ours, theirs, kept in listed:
        assert figures(standard("gp", gp_ref)) == ours
        assert figures(standard("ll", ll_key)) == theirs != ours
        entry = catalog.entry_at(key, AT)
        assert entry.confidence == "low"
        assert ours in entry.note and theirs in entry.note and f"{kept}' figures" in entry.note
        billed = audit_module().catalog_rates(catalog, key)
        assert figures(billed) == (ours if kept == "genai-prices" else theirs)


def test_a_disagreement_keeps_genai_prices_figures():
    """Hand-checked: GLM-4.5's cache read is 0.11 in genai-prices and absent in LiteLLM
    (billed as input, 0.6); the catalog bills genai-prices' 0.11."""
    w = Workload(input=1_000_000, cached=1_000_000, output=0)
    assert cost_at(shipped(), "GLM-4.5", w, AT).total == Decimal("0.11")
    assert "0.6 / 0.11 / 0.6 / 2.2" in shipped().entry_at("GLM-4.5", AT).note


# -- every name a peer knows (scripts/audit_market.py) ------------------------------------------


def test_the_audit_covers_both_peers_whole():
    """Every LiteLLM text key and every genai-prices id and plain match text is audited, and
    most of them find an offering whose rates agree (the counts as of the pinned peers)."""
    counts = audit_module().counts(audit_rows())
    assert sum(counts["litellm"].values()) == 3806
    assert sum(counts["genai-prices"].values()) == 3651
    assert counts["litellm"]["agrees"] >= 3200
    assert counts["genai-prices"]["agrees"] >= 2800


def test_every_peer_name_finds_an_offering_or_is_listed_with_a_reason():
    """A name either peer prices that llmcost cannot resolve is in UNMAPPED.txt with why."""
    assert [r.name.name for r in rows_of("unresolved")] == []
    reasons = audit_module().unmapped_reasons()
    for row in rows_of("unresolved, listed"):
        assert any(reasons.get(k) for k in row.name.listed_as), row.name.name


def test_a_left_out_peer_name_is_refused_with_why():
    """Every name the audit finds unresolved but listed is refused with UNMAPPED.txt's
    reason, read from the compact LEFT_OUT.tsv the catalog ships (not `openrouter does not
    offer it` for a name genai-prices prices and llmcost could not import); a name no peer
    knows keeps the plain error."""
    from llmcost.catalog.names import fold
    from llmcost.errors import UnknownModel

    catalog = shipped()
    reasons = audit_module().unmapped_reasons()
    rows = rows_of("unresolved, listed")
    assert len(rows) > 500
    every = {r for rs in reasons.values() for r in rs}  # names folding alike share a row
    for row in rows:
        try:
            catalog.resolve(row.name.name)
        except UnknownModel as exc:
            said = exc.message.partition("prices it, but it was not imported: ")[2]
            assert any(said.startswith(r) for r in every), (row.name.name, exc.message)
        else:
            raise AssertionError(f"{row.name.name} resolves")
    with pytest.raises(UnknownModel) as caught:
        catalog.resolve("OpenRouter/AI21/Jamba-1.6-Large")
    assert caught.value.message == (
        "unknown model 'OpenRouter/AI21/Jamba-1.6-Large': genai-prices 0.2.5 "
        "openrouter:ai21/jamba-1.6-large prices it, but it was not imported: context_window: "
        "unknown (here and for the same model elsewhere)"
    )
    assert "--pricing" in caught.value.hint
    with pytest.raises(UnknownModel) as caught:
        catalog.resolve("openrouter/ai21/jamba-9-huge")
    assert caught.value.message == (
        "unknown model 'openrouter/ai21/jamba-9-huge': openrouter does not offer it"
    )
    assert fold("OpenRouter/AI21/Jamba-1.6-Large") in (MARKET / "LEFT_OUT.tsv").read_text()


def test_no_peer_name_disagrees_silently():
    """A name that finds an offering billing other standard rates at the instant than its
    peer does is explained: curated (sourced) figures, a disagreement the entry and
    DISAGREEMENTS.md say, a retirement by a date a source gives, or LiteLLM's own two prices
    for one offering (listed)."""
    assert [audit_module().show(r) for r in rows_of("silent")] == []
    listed = {(row[0], row[4]) for row in listed_disagreements()}
    listed |= {(row[0], row[3]) for row in listed_disagreements()}
    for row in rows_of("disagrees, said"):
        if row.why.startswith("said in its entry"):
            assert (row.key, figures(row.name.rates)) in listed, row.name.name


def test_no_peer_name_finds_another_providers_offering():
    """`bedrock/...`, `vertex_ai/...`, `openrouter/...`, `cloudflare/@cf/...`: a name the peer
    bills under one provider never finds another provider's offering. Two allowances, each
    checked: a bare name a host's entry carries is the maker's own offering (as llmcost reads
    a bare name); a name written as another provider's own model id, where the peer's
    offering is not in the catalog (listed)."""
    catalog = shipped()
    assert [audit_module().show(r) for r in rows_of("other provider")] == []
    for row in rows_of("bare name: maker's"):
        assert "/" not in row.name.name or not catalog.provider_id(row.name.name.split("/")[0])
        assert catalog.info(row.key).first_party
    for row in rows_of("other provider's id"):
        assert audit_module().fold_name(row.name.name) == audit_module().fold_name(
            catalog.info(row.key).model.id
        )


def test_an_ambiguous_peer_name_lists_the_peers_offering():
    """An ambiguous name is an error listing the offerings it could mean; one of them is the
    offering of the provider the peer means, or the peer's own offering is listed as not
    imported (`deepseek/deepseek-r1-0528`, genai-prices' pattern for the curated and retired
    deepseek-reasoner, is also OpenRouter's and Novita's id: refused, never guessed)."""
    catalog = shipped()
    reasons = audit_module().unmapped_reasons()
    for row in rows_of("ambiguous"):
        want = audit_module().peer_provider(catalog, row.name)
        listed = row.why.split("(", 1)[1].rstrip(")").split(", ")
        if not any(catalog.info(k).provider == want for k in listed):
            assert any(reasons.get(k) for k in row.name.listed_as), row.why


def test_hand_checked_peer_spellings():
    """Spellings the audit found wrong, fixed in the build and the importers, by hand:
    Cloudflare's `@cf/` ids are Cloudflare's (not OpenAI's own gpt-oss-120b found past an
    unknown prefix); a LiteLLM `-latest` pointer to a Bedrock offering genai-prices has;
    genai-prices' prefix `claude-3-5-haiku` is Claude Haiku 3.5; LiteLLM's `bigmodel` is
    Zhipu AI (genai-prices' zhipuai)."""
    catalog = shipped()
    info = catalog.resolve("cloudflare/@cf/openai/gpt-oss-120b")
    assert (info.provider, info.model.id) == ("cloudflare", "@cf/openai/gpt-oss-120b")
    assert catalog.resolve("bedrock/claude-fable-latest").provider == "aws"
    assert catalog.resolve("anthropic/claude-3-5-haiku").key == "claude-3-5-haiku-latest"
    assert catalog.resolve("bigmodel/glm-5.3").key == "zhipuai/GLM-5.3"


PEER_STARTS = (datetime(1970, 1, 1, tzinfo=UTC), datetime(2020, 1, 1, tzinfo=UTC))
STARTS_AT = re.compile(r"Starts at (\S+)'s release")


def test_a_host_offering_starts_no_earlier_than_its_maker_released_the_model():
    """Google's claude-opus-4-7 (genai-prices, undated) starts when Anthropic released it,
    2026-04-16 (pricing/anthropic.toml), and is refused the second before; so does Azure's
    dated gpt-5.4-2026-03-05 (LiteLLM, undated: OpenAI's gpt-5.4, released 2026-03-05). An
    offering whose peer gives no start starts at the placeholder, or at the release of a
    curated offering of its maker."""
    catalog = shipped()
    w = Workload(input=100_000, output=100_000)  # under Azure's 272K tier
    for name, release, total in (
        ("claude-4.7-opus", datetime(2026, 4, 16, tzinfo=UTC), Decimal(3)),  # 0.5 + 2.5
        ("azure/gpt-5.4-2026-03-05", datetime(2026, 3, 5, tzinfo=UTC), Decimal("1.75")),
    ):
        info = catalog.resolve(name)
        assert MARKET in info.file.parents and not info.first_party
        assert info.model.released == release
        assert cost_at(catalog, info.key, w, release).total == total
        try:
            cost_at(catalog, info.key, w, release - timedelta(seconds=1))
        except NotPriced:
            pass
        else:
            raise AssertionError(f"{name} priced before {release}")
    moved = 0
    for info, _, _ in market_offerings():
        first = min(catalog.entries(info.key), key=lambda e: e.valid_from)
        said = STARTS_AT.search(first.note or "")
        if said is None:
            assert first.valid_from in PEER_STARTS or info.first_party or first.source != ("LL",)
            continue
        maker = catalog.resolve(said.group(1))
        assert MARKET not in maker.file.parents and maker.first_party
        assert maker.provider == info.model.maker
        assert info.model.released == first.valid_from == maker.model.released
        moved += 1
    assert moved > 500  # 557 by the 2026-12 build


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
