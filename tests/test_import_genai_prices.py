"""genai-prices' v2 data.json imported as llmcost price files.

`genai-prices-mini.json` is hand-written to hit every mapping once; the expected entries
below are worked out by hand from it (see the importer's docstring for the rules).
`genai-prices-sample.json` is 30 models copied from genai-prices 0.2.5's real data (its
licence notice is in `genai-prices-NOTICE.txt`): it must import into a valid catalog.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from llmcost.catalog.importers import genai_prices as gp
from llmcost.catalog.importers import write
from llmcost.catalog.load import load_catalog
from llmcost.errors import InputError

PEERS = Path(__file__).resolve().parent / "fixtures" / "peers"
MINI = PEERS / "genai-prices-mini.json"
SAMPLE = PEERS / "genai-prices-sample.json"
FIXTURE_PRICING = Path(__file__).resolve().parent / "fixtures" / "pricing"
DAY = date(2026, 12, 6)  # the day the data was read
END = datetime(9999, 1, 1, tzinfo=UTC)
D = Decimal


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def convert(path: Path = MINI, **kwargs) -> gp.Imported:
    return gp.convert(path.read_bytes(), published=DAY, source=str(path), **kwargs)


def model(imported, provider: str, model_id: str) -> dict:
    return next(m for m in imported.files[provider]["models"] if m["id"] == model_id)


def usd(**rates) -> dict:
    return {"USD": {k: D(str(v)) for k, v in rates.items()}}


def tier(above: int, **rates) -> dict:
    return {"above_input_tokens": above, "rates": usd(**rates)}


def lost(imported, ref: str) -> list[str]:
    return [reason for key, reason in imported.unmapped if key == ref]


def loaded(imported, tmp_path: Path, **kwargs):
    write(imported, tmp_path / "gp", header=gp.header("test"))
    return load_catalog(tmp_path / "gp", **kwargs)


# -- prices: history, tiers, variants, windows ---------------------------------------------------


def test_history_splits_at_start_dates_and_variant_starts():
    entries = model(convert(), "openai", "gpt-x")["prices"]
    assert [(e["valid_from"], e.get("valid_until")) for e in entries] == [
        (gp.UNDATED, utc(2026, 3, 1)),
        (utc(2026, 3, 1), utc(2026, 4, 1)),  # the batch variant starts 2026-04-01
        (utc(2026, 4, 1), None),
    ]
    assert all(e["published"] == DAY for e in entries)  # knowledge time: the day it was read
    assert entries[0]["rates"] == usd(input_mtok=2, output_mtok=8, cache_read_mtok=0.5)


def test_per_rate_tiers_become_one_tier_per_threshold_with_every_rate():
    entry = model(convert(), "openai", "gpt-x")["prices"][1]
    # input tiers at 200k, output at 100k and 200k: each threshold carries every rate
    assert entry["rates"] == usd(input_mtok=1, output_mtok=4, cache_read_mtok=0.1)
    assert entry["tiers"] == [
        tier(100_000, input_mtok=1, output_mtok=6, cache_read_mtok=0.1),
        tier(200_000, input_mtok=2, output_mtok=8, cache_read_mtok=0.1),
    ]


def test_variants_are_full_rates_with_unspecified_ones_kept_standard():
    first, second, third = model(convert(), "openai", "gpt-x")["prices"]
    assert set(first["variants"]) == {"flex", "priority", "fast", "ultrafast"}  # no batch yet
    assert first["variants"]["flex"] == {
        "rates": usd(input_mtok=0.6, output_mtok=8, cache_read_mtok=0.5)
    }
    assert first["variants"]["priority"] == {
        "rates": usd(input_mtok=3, output_mtok=12, cache_read_mtok=0.5)
    }
    # a flat override replaces a tiered rate; the tiers of the rates it leaves stay
    assert second["variants"]["flex"] == {
        "rates": usd(input_mtok=0.6, output_mtok=4, cache_read_mtok=0.1),
        "tiers": [
            tier(100_000, input_mtok=0.6, output_mtok=6, cache_read_mtok=0.1),
            tier(200_000, input_mtok=0.6, output_mtok=8, cache_read_mtok=0.1),
        ],
    }
    assert second["variants"]["priority"] == {
        "rates": usd(input_mtok=3, output_mtok=12, cache_read_mtok=0.1)
    }
    assert "batch" not in second["variants"]
    assert third["variants"]["batch"] == {
        "rates": usd(input_mtok=0.5, output_mtok=2, cache_read_mtok=0.1)
    }
    assert "default" not in third["variants"]  # service_tier default changes nothing


def test_speed_fast_is_the_fast_tier():
    entry = model(convert(), "anthropic", "claude-z")["prices"][0]
    assert entry["variants"]["fast"]["rates"]["USD"]["input_mtok"] == D(6)
    assert entry["variants"]["fast"]["rates"]["USD"]["cache_write_1h_mtok"] == D(6)
    assert entry["rates"] == usd(
        input_mtok=3,
        output_mtok=15,
        cache_read_mtok=0.3,
        cache_write_mtok=3.75,
        cache_write_1h_mtok=6,
        output_reasoning_mtok=15,
        web_search_kcount=10,
    )


def test_time_of_day_window_wrapping_midnight_is_split():
    (entry,) = model(convert(), "deepseek", "deepseek-chat")["prices"]
    assert entry["rates"] == usd(input_mtok=0.27, cache_read_mtok=0.07, output_mtok=1.1)
    assert entry["windows"] == [
        {
            "name": "16:30-00:30 UTC",
            "hours_utc": ["00:00-00:30", "16:30-24:00"],
            "rates": usd(input_mtok=0.135, cache_read_mtok=0.035, output_mtok=0.55),
        }
    ]


def test_every_price_dated_starts_at_the_first_date():
    doc = model(convert(), "openai", "gpt-dated")
    assert doc["released"] == utc(2026, 5, 1)
    assert [(e["valid_from"], e.get("valid_until")) for e in doc["prices"]] == [
        (utc(2026, 5, 1), utc(2026, 7, 1)),
        (utc(2026, 7, 1), None),
    ]


# -- names, makers, sizes, what is lost ------------------------------------------------------------


def test_equals_are_aliases_and_patterns_are_listed():
    imported = convert()
    # `contains 'gptx'`: genai-prices' own lookup of the text `gptx` picks gpt-x, so it is
    # gpt-x's name too; a prefix ending in '-', a regex and a non-name are listed
    assert model(imported, "openai", "gpt-x")["aliases"] == ["gpt-x-2026-01-01", "gptx"]
    reasons = lost(imported, "openai:gpt-x")
    for pattern in ("starts_with 'gpt-x-'", "regex", "ends_with '-gpt-x'"):
        assert any(r.startswith(f"match pattern: {pattern}") for r in reasons), pattern
    assert not any("gptx" in r for r in reasons)
    assert any(r.startswith("match pattern: and") for r in lost(imported, "openai:gpt-dated"))


def test_makers_have_bare_keys_and_hosts_provider_keys(tmp_path):
    imported = convert()
    assert "maker" not in model(imported, "openai", "gpt-x")
    assert model(imported, "openrouter", "anthropic/claude-z")["maker"] == "anthropic"
    assert model(imported, "openrouter", "mystery-model")["maker"] == "unknown"
    catalog = loaded(imported, tmp_path)
    for name, key in [
        ("gpt-x", "gpt-x"),
        ("openai/gpt-x", "gpt-x"),  # genai-prices' openai:gpt-x
        ("openrouter/anthropic/claude-z", "openrouter/anthropic/claude-z"),
        ("open-router/anthropic/claude-z", "openrouter/anthropic/claude-z"),  # provider alias
        ("openrouter/mystery-model", "openrouter/mystery-model"),
        ("claude-z", "claude-z"),  # the maker's own offering wins a bare name
    ]:
        assert catalog.resolve(name).key == key, name


@pytest.mark.parametrize(
    ("provider", "model_id", "maker"),
    [
        ("openai", "gpt-5.5", None),  # at its maker: a bare key
        ("zhipuai", "glm-5", "zai"),  # Zhipu AI bills Z.ai's GLM at its own prices
        ("google", "claude-opus-4-6", "anthropic"),  # Claude on Vertex
        ("aws", "us.anthropic.claude-opus-4-6-v1:0", "anthropic"),
        ("aws", "global.moonshotai.kimi-k3", "moonshotai"),
        ("azure", "gpt-4o", "openai"),
        ("openrouter", "meta-llama/llama-4-scout", "meta"),
        ("openrouter", "nousresearch/hermes-4", "nousresearch"),  # the organisation itself
        ("groq", "openai/gpt-oss-120b", "openai"),
        ("together", "obscure-model", "unknown"),  # a host's: never a bare key
    ],
)
def test_maker_from_the_id(provider, model_id, maker):
    assert gp._maker(provider, model_id) == maker


def test_a_malformed_model_is_listed_not_a_crash():
    data = json.loads(MINI.read_text())
    data[0]["models"] += [{"id": "broken", "prices": {"input_mtok": "x", "output_mtok": 1}},
                          {"id": "broken-2", "prices": [{"constraint": {"weekday": 1}}]},
                          {"no": "id"}]  # fmt: skip
    imported = gp.convert(json.dumps(data).encode(), published=DAY, source="x")
    assert lost(imported, "openai:broken") == ["price: 'x' is not a number"]
    assert lost(imported, "openai:broken-2") == ["prices: none, or not price sets"]
    assert lost(imported, "openai:None") == ["model: not a genai-prices model (no id)"]


def test_context_window_borrowed_or_the_model_left_out():
    imported = convert()
    borrowed = model(imported, "openrouter", "anthropic/claude-z")
    assert borrowed["context_window"] == borrowed["max_output"] == 200_000
    assert "context_window from genai-prices anthropic:claude-z" in borrowed["note"]
    assert "max_output: genai-prices gives none" in borrowed["note"]
    assert lost(imported, "openrouter:qwen/qwen-9") == [
        "context_window: unknown (here and for the same model elsewhere)"
    ]


def test_rates_llmcost_lacks_are_dropped_and_listed():
    imported = convert()
    assert "rate dropped: input_audio_mtok has no llmcost rate kind" in lost(
        imported, "openai:gpt-x"
    )
    assert model(imported, "openrouter", "anthropic/claude-z")["prices"][0]["rates"] == usd(
        input_mtok=3, output_mtok=15, request_kcount=0.5
    )
    assert lost(imported, "openai:text-embedding-x") == [
        "prices: no input and output token rates (llmcost needs both)"
    ]
    assert 'variant: when {"route": "eu"} has no llmcost service tier' in lost(
        imported, "openai:gpt-x"
    )


def test_deprecated_is_noted_not_retired():
    imported = convert()
    doc = model(imported, "deepseek", "deepseek-chat")
    assert "retired" not in doc
    assert "deprecated in genai-prices" in doc["note"]
    assert any(r.startswith("deprecated:") for r in lost(imported, "deepseek:deepseek-chat"))


def test_an_alias_naming_another_model_of_the_provider_is_dropped():
    imported = convert()
    assert model(imported, "alpha", "alpha-flash")["aliases"] == ["alpha-fast", "alpha-flash-001"]
    assert "alias: 'alpha-legacy' also names alpha:alpha-legacy; dropped" in lost(
        imported, "alpha:alpha-flash"
    )


# -- as a catalog ----------------------------------------------------------------------------------


def test_output_validates_and_prices_exactly(tmp_path):
    catalog = loaded(convert(), tmp_path)
    entry = catalog.price_at("gpt-x", utc(2026, 5, 1), tier="flex")
    assert entry.rates["USD"].input_mtok == D("0.6")
    assert entry.tiers[0].rates["USD"].output_mtok == D(6)
    peak = catalog.price_at("deepseek-chat", utc(2026, 5, 1, 23))
    assert peak.windows[0].hour_ranges()[1].contains(datetime(2026, 5, 1, 23).time())
    with pytest.raises(Exception, match="no batch price"):
        catalog.price_at("gpt-x", utc(2026, 3, 15), tier="batch")  # not modelled before 04-01
    assert catalog.version_for(None) == DAY
    with pytest.raises(InputError):  # nothing of it was known before it was read
        catalog.version_for(date(2026, 12, 5))


def test_files_carry_the_licence_notice(tmp_path):
    paths = write(convert(), tmp_path, header=gp.header("test"))
    text = paths[0].read_text()
    assert "# Copyright (c) Pydantic Services Inc. 2025 to present" in text
    assert "# Permission is hereby granted, free of charge" in text


def test_as_an_overlay_it_adds_only_what_is_newer(tmp_path):
    below = load_catalog(FIXTURE_PRICING)
    imported = convert(below=below)
    # alpha-flash is the fixture's: only the change after its last valid_from (2026-03-01)
    extension = model(imported, "alpha", "alpha-flash")
    assert set(extension) == {"id", "prices", "aliases"}
    assert [e["valid_from"] for e in extension["prices"]] == [utc(2026, 6, 1)]
    assert extension["aliases"] == ["alpha-fast", "alpha-flash-001"]
    assert lost(imported, "alpha:alpha-legacy") == ["below: its id names alpha-old there; left out"]
    write(imported, tmp_path / "gp", header=gp.header("test"))
    catalog = load_catalog(FIXTURE_PRICING, overlays=[tmp_path / "gp"])
    assert catalog.price_at("alpha-flash", utc(2026, 7, 1)).rates["USD"].input_mtok == D("0.9")
    assert catalog.price_at("alpha-flash", utc(2026, 5, 1)).rates["USD"].input_mtok == D(1)
    assert catalog.resolve("alpha-flash-001").key == "alpha-flash"
    assert catalog.resolve("alpha/alpha-nova").key == "alpha/alpha-nova"


def test_in_the_same_layer_it_leaves_out_what_is_defined(tmp_path):
    root = tmp_path / "pricing"
    shutil.copytree(FIXTURE_PRICING, root)
    imported = gp.fit_over(convert(), load_catalog(root), extend=False)
    assert "alpha-flash" not in [m["id"] for m in imported.files["alpha"]["models"]]
    assert "below: alpha-flash is defined there; left out" in lost(imported, "alpha:alpha-flash")
    write(imported, root / "market", header=gp.header("test"))
    catalog = load_catalog(root)  # one layer: the fixture's files and the imported ones
    assert catalog.resolve("alpha-flash").file.name == "alpha.toml"
    assert catalog.resolve("gpt-x").layer == catalog.resolve("alpha-flash").layer


def test_not_genai_prices_data_is_an_input_error():
    with pytest.raises(InputError, match="not JSON"):
        gp.convert(b"{", published=DAY, source="x.json")
    with pytest.raises(InputError, match="not genai-prices data"):
        gp.convert(b'{"a": 1}', published=DAY, source="x.json")


def test_prices_are_never_floats(tmp_path):
    exact = "12345.123456789012"  # 17 digits: a float keeps about 16
    text = MINI.read_bytes().replace(b'"input_mtok": 0.6', f'"input_mtok": {exact}'.encode())
    imported = gp.convert(text, published=DAY, source="x")
    entry = model(imported, "openai", "gpt-x")["prices"][0]
    assert entry["variants"]["flex"]["rates"]["USD"]["input_mtok"] == D(exact)
    catalog = loaded(imported, tmp_path)  # and through the TOML file
    assert catalog.price_at("gpt-x", utc(2026, 1, 1), tier="flex").rates["USD"].input_mtok == D(
        exact
    )


# -- the real data ---------------------------------------------------------------------------------


def test_real_data_sample_validates_alone_and_as_an_overlay(tmp_path):
    imported = convert(SAMPLE)
    assert imported.offerings >= 25
    loaded(imported, tmp_path)
    over = convert(SAMPLE, below=load_catalog(None))
    write(over, tmp_path / "over", header=gp.header("test"))
    load_catalog(None, overlays=[tmp_path / "over"])


CONTEXTS = {  # llmcost tier -> genai-prices price_context (fast: either spelling)
    "standard": [None],
    "batch": [{"processing": "batch"}],
    "flex": [{"service_tier": "flex"}],
    "priority": [{"service_tier": "priority"}],
    "fast": [{"service_tier": "fast"}, {"speed": "fast"}],
    "ultrafast": [{"service_tier": "ultrafast"}],
}
THEIR_KEY = {kind: key for key, kind in gp.RATES.items() if key != "cache_write_5m_mtok"}


def context_of(model_info, tier: str):
    """The price_context genai-prices selects llmcost's `tier` with, for this model."""
    given = [v.when for v in model_info.price_variants or ()]
    return next((c for c in CONTEXTS[tier] if c in given), CONTEXTS[tier][0])


def their_rate(types, prices, kind: str, tokens: int):
    value = getattr(prices, THEIR_KEY[kind], None)
    if isinstance(value, types.TieredPrices):
        steps = [s.price for s in value.tiers if tokens > s.start]
        value = steps[-1] if steps else value.base
    return value


def our_rates(entry, at: datetime, tokens: int):
    rates = entry.rates["USD"]
    for window in entry.windows:
        if any(hours.contains(at.time()) for hours in window.hour_ranges()):
            rates = window.rates["USD"]
    for tier in entry.tiers:
        if tokens > tier.above_input_tokens:
            rates = tier.rates["USD"]
    return rates


@pytest.mark.parametrize("path", [MINI, SAMPLE], ids=["mini", "sample"])
def test_agrees_with_genai_prices_own_lookup(path, tmp_path):
    """Where genai-prices is installed (a dev tool, not a dependency), its own `get_prices`
    gives every rate the imported catalog gives: in each entry, at hours across the day, in
    every tier llmcost sells, below and above each long-context threshold."""
    types = pytest.importorskip("genai_prices.types")
    theirs = {
        (p.id, m.id): m
        for p in types._providers_from_raw(json.loads(path.read_text()))
        for m in p.models
    }
    catalog = loaded(convert(path), tmp_path)
    compared = 0
    for info in catalog.models():
        model_info = theirs[(info.provider, info.model.id)]
        for entry in info.model.prices:
            day = max(entry.valid_from, utc(2025, 6, 1))
            for hour in (0, 8, 16, 23):
                at = day.replace(hour=hour, minute=45)
                for tier in entry.service_tiers:
                    billed = catalog.price_at(info.key, at, tier=tier)
                    for tokens in (1_000, *(t.above_input_tokens + 1 for t in billed.tiers)):
                        ours = our_rates(billed, at, tokens)
                        their = model_info.get_prices(at, context_of(model_info, tier))
                        for kind in THEIR_KEY:
                            value = their_rate(types, their, kind, tokens)
                            assert getattr(ours, kind) == value, (info.key, at, tier, kind)
                            compared += 1
    assert compared > 300


def test_dump_script_round_trips_the_installed_package(tmp_path):
    pytest.importorskip("genai_prices.data")
    script = Path(__file__).resolve().parent.parent / "scripts" / "genai_prices_json.py"
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, check=True, timeout=120
    )
    imported = gp.convert(result.stdout, published=DAY, source="genai-prices")
    assert imported.offerings > 1000
