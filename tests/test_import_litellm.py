"""Importing LiteLLM's price map (`llmcost.catalog.importers.litellm`).

`tests/fixtures/peers/litellm-handmade.json` is written by hand to hit every mapping; the
expected rates below are worked out by hand from it (per token x 1,000,000, with LiteLLM's
billing rules). `litellm-1.110.2-trimmed.json` holds real keys copied from LiteLLM 1.110.2
(MIT, notice in LICENSE-litellm.txt beside it).
"""

from __future__ import annotations

import json
import tomllib
from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from llmcost.catalog.importers import litellm, write
from llmcost.catalog.importers.overlay import KEPT, over
from llmcost.catalog.load import load_catalog
from llmcost.errors import InputError

PEERS = Path(__file__).resolve().parent / "fixtures" / "peers"
HANDMADE = PEERS / "litellm-handmade.json"
TRIMMED = PEERS / "litellm-1.110.2-trimmed.json"
REAL = Path(__file__).resolve().parent.parent / "pricing" / "peers" / "litellm-1.110.2.json"
DAY = date(2026, 12, 6)
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


def D(text: str) -> Decimal:
    return Decimal(text)


def usd(**rates: str) -> dict:
    return {"USD": {k: D(v) for k, v in rates.items()}}


def convert(path: Path = HANDMADE):
    return litellm.convert(path.read_bytes(), published=DAY, source=str(path))


@pytest.fixture(scope="module")
def imported():
    return convert()


def offering(imported, provider: str, model_id: str) -> dict:
    return next(m for m in imported.files[provider]["models"] if m["id"] == model_id)


def price(imported, provider: str, model_id: str) -> dict:
    (entry,) = offering(imported, provider, model_id)["prices"]
    return entry


# -- exact decimals, tiers, service tiers ---------------------------------------------------------


def test_floats_are_read_through_their_text_and_scaled_exactly(imported):
    # 1.1e-06 -> 1.1, 3.625e-09 -> 0.003625 per 1M tokens; never 1.0999999999999999
    assert price(imported, "openai", "gpt-x")["rates"] == usd(
        input_mtok="1.1", output_mtok="4.4", cache_read_mtok="0.003625"
    )


def test_entry_has_no_dates_of_its_own(imported):
    entry = price(imported, "openai", "gpt-x")
    assert (entry["published"], entry["valid_from"], entry["kind"]) == (DAY, EPOCH, "list")
    assert offering(imported, "openai", "gpt-x")["released"] == EPOCH


def test_above_272k_keys_are_a_long_context_tier(imported):
    # the cache read has no tier key: LiteLLM keeps the flat cache read above the threshold
    assert price(imported, "openai", "gpt-x")["tiers"] == [
        {
            "above_input_tokens": 272_000,
            "rates": usd(input_mtok="2.2", output_mtok="6.6", cache_read_mtok="0.003625"),
        }
    ]


def test_batch_with_its_own_tier_keys(imported):
    # batch output has no tier key: the flat batch output applies above 272K too; the batch
    # cache read is the standard one
    assert price(imported, "openai", "gpt-x")["variants"]["batch"] == {
        "rates": usd(input_mtok="0.55", output_mtok="2.2", cache_read_mtok="0.003625"),
        "tiers": [
            {
                "above_input_tokens": 272_000,
                "rates": usd(input_mtok="1.1", output_mtok="2.2", cache_read_mtok="0.003625"),
            }
        ],
    }


def test_flex_fields_without_a_flex_key_are_billed_at_the_standard_rate(imported):
    # get_cost_per_unit: output_cost_per_token_flex -> output_cost_per_token; above 272K
    # input_cost_per_token_above_272k_tokens_flex -> the standard tier's key
    assert price(imported, "openai", "gpt-x")["variants"]["flex"] == {
        "rates": usd(input_mtok="0.55", output_mtok="4.4", cache_read_mtok="0.003625"),
        "tiers": [
            {
                "above_input_tokens": 272_000,
                "rates": usd(input_mtok="2.2", output_mtok="6.6", cache_read_mtok="0.003625"),
            }
        ],
    }


def test_priority_and_ultrafast_variants(imported):
    priority = price(imported, "openai", "gpt-x")["variants"]["priority"]
    assert priority["rates"] == usd(input_mtok="2", output_mtok="8", cache_read_mtok="0.003625")
    assert priority["tiers"][0]["rates"] == usd(
        input_mtok="4", output_mtok="12", cache_read_mtok="0.003625"
    )
    assert price(imported, "openai", "gpt-y")["variants"] == {
        "ultrafast": {"rates": usd(input_mtok="6", output_mtok="4")}
    }


def test_batch_cache_read_without_a_batch_key_follows_the_standard_tier(imported):
    entry = price(imported, "google", "gemini-q")
    assert entry["tiers"][0]["rates"] == usd(
        input_mtok="4", output_mtok="18", cache_read_mtok="0.4"
    )
    assert entry["variants"]["batch"] == {
        "rates": usd(input_mtok="1", output_mtok="6", cache_read_mtok="0.2"),
        "tiers": [
            {
                "above_input_tokens": 200_000,
                "rates": usd(input_mtok="2", output_mtok="9", cache_read_mtok="0.4"),
            }
        ],
    }


def test_cache_writes_and_a_batch_without_a_1h_batch_key(imported):
    # LiteLLM bills a 1h write with no batch 1h key at the batch 5-minute write rate
    entry = price(imported, "anthropic", "claude-w")
    assert entry["rates"] == usd(
        input_mtok="5",
        output_mtok="25",
        cache_read_mtok="0.5",
        cache_write_mtok="6.25",
        cache_write_1h_mtok="10",
    )
    assert entry["variants"]["batch"]["rates"] == usd(
        input_mtok="2.5",
        output_mtok="12.5",
        cache_read_mtok="0.25",
        cache_write_mtok="3.125",
        cache_write_1h_mtok="3.125",
    )


def test_xai_tiers_start_at_the_threshold_itself(imported):
    # xAI bills the higher tier once the prompt reaches 200K: > 199,999 in llmcost's terms
    assert price(imported, "xai", "grok-t")["tiers"] == [
        {"above_input_tokens": 199_999, "rates": usd(input_mtok="4", output_mtok="12")}
    ]


def test_tiered_pricing_ranges_are_cliff_tiers(imported):
    entry = price(imported, "alibaba", "qwen-t")
    assert entry["rates"] == usd(input_mtok="0.05", output_mtok="0.4")
    assert entry["tiers"] == [
        {"above_input_tokens": 256_000, "rates": usd(input_mtok="0.25", output_mtok="2")}
    ]


# -- off-peak windows -------------------------------------------------------------------------


def test_off_peak_becomes_the_entry_and_its_complement_the_peak_window(imported):
    entry = price(imported, "deepseek", "deepseek-z")
    assert entry["rates"] == usd(input_mtok="0.66", output_mtok="1.98", cache_read_mtok="0.022")
    assert entry["windows"] == [
        {
            "name": "peak",
            "hours_utc": ["01:00-04:00", "06:00-10:00"],
            "weekdays": ["mon", "tue", "wed", "thu", "fri"],
            "rates": usd(input_mtok="1.32", output_mtok="3.96", cache_read_mtok="0.044"),
        }
    ]


def test_weekdays_in_a_fixed_offset_timezone_become_utc_hours(imported):
    # off-peak on Monday in Shanghai (UTC+8) at 20:00-22:00 UTC: that is Sunday 20-22 UTC
    # (Shanghai's Monday starts at Sunday 16:00 UTC); peak is all the rest of the week
    peak = usd(input_mtok="1", output_mtok="2")
    assert price(imported, "tencent", "deepseek-tz")["windows"] == [
        {
            "name": "peak",
            "hours_utc": ["00:00-24:00"],
            "weekdays": ["mon", "tue", "wed", "thu", "fri", "sat"],
            "rates": peak,
        },
        {
            "name": "peak",
            "hours_utc": ["00:00-20:00", "22:00-24:00"],
            "weekdays": ["sun"],
            "rates": peak,
        },
    ]


def test_a_timezone_with_daylight_saving_is_listed_not_guessed(imported):
    entry = price(imported, "tencent", "deepseek-dst")
    assert "windows" not in entry
    assert entry["rates"] == usd(input_mtok="1", output_mtok="2")
    assert (
        "tencent/deepseek-dst.off_peak_pricing",
        "weekday_timezone Europe/Berlin changes its UTC offset: not fixed UTC hours",
    ) in imported.unmapped


# -- names, providers, lifecycle ------------------------------------------------------------------


def test_providers_makers_and_keys_as_names(imported):
    assert offering(imported, "google", "gemini-q")["aliases"] == ["gemini/gemini-q"]
    assert "maker" not in offering(imported, "google", "gemini-q")
    host = offering(imported, "bedrock", "us.anthropic.claude-w")
    assert host["maker"] == "anthropic"
    assert imported.files["bedrock"]["aliases"] == ["bedrock_converse"]
    assert offering(imported, "tencent", "deepseek-tz")["maker"] == "deepseek"


def test_same_offering_under_two_keys_is_one_offering_with_an_alias(imported):
    assert offering(imported, "deepseek", "deepseek-z")["aliases"] == ["deepseek/deepseek-z"]
    assert offering(imported, "anthropic", "claude-w")["aliases"] == ["claude-w-latest"]
    assert ("openai/gpt-x", "same offering as gpt-x, with other prices") in imported.unmapped


def test_a_makers_offering_keeps_its_bare_key_over_a_host_model_of_unknown_maker(imported):
    # azure/chat-z sorts first, but openai's chat-z is placed before hosts' unknown models
    assert "maker" not in offering(imported, "openai", "chat-z")
    assert ("azure/chat-z", "offering key chat-z is openai's already") in imported.unmapped


@pytest.mark.parametrize(
    ("model_id", "maker"),
    [
        ("deepseek-ai/DeepSeek-V4", "deepseek"),
        ("us.anthropic.claude-opus-5-5", "anthropic"),
        ("accounts/fireworks/models/llama-v3p1-8b-instruct", "meta"),
        ("gpt-5.5", "openai"),
        ("NousResearch/Hermes-3-Llama-3.1-70B", "nousresearch"),
        ("model-router", None),
        ("accounts/fireworks/models/firefunction-v2", None),
        ("zai-glm-5", "zai"),  # Mistral's and Cerebras' GLM, not their own models
    ],
)
def test_maker_of(model_id, maker):
    assert litellm.maker_of(model_id) == maker


def test_fireworks_cache_hits_are_half_the_input_rate_outside_batch(imported):
    # LiteLLM's fireworks_ai rule: no cache read rate -> 0.5 x input; batch bills hits as input
    entry = price(imported, "fireworks", "accounts/fireworks/models/kimi-f")
    assert entry["rates"] == usd(input_mtok="0.6", output_mtok="2.5", cache_read_mtok="0.3")
    assert entry["variants"]["batch"]["rates"] == usd(input_mtok="0.3", output_mtok="1.25")


def test_deprecation_and_successor(imported):
    model = offering(imported, "openai", "gpt-x")
    assert model["retired"] == datetime(2027, 1, 1, tzinfo=UTC)
    assert model["successor"] == "gpt-y"
    old = offering(imported, "openai", "gpt-old")
    assert "successor" not in old
    assert "gpt-gone" in old["note"]


def test_windows_fall_back_to_the_context_window_for_max_output(imported):
    model = offering(imported, "google", "gemini-q")
    assert model["context_window"] == model["max_output"] == 1_048_576


def test_unmapped_keys_and_reasons(imported):
    unmapped = dict(imported.unmapped)
    assert unmapped["text-embedding-z"] == "mode embedding is not text generation"
    assert (
        unmapped["gpt-x.input_cost_per_audio_token"]
        == "rate input_cost_per_audio_token not modelled"
    )
    assert "regional" in unmapped["gpt-x.regional_processing_uplift_multiplier_eu"]
    assert (
        unmapped["together_ai/no-window"] == "no max_input_tokens: llmcost needs a context window"
    )
    assert "more than 12 decimal places" in unmapped["novita/noisy-model"]
    assert "not contiguous" in unmapped["dashscope/qwen-gap"]
    assert "sample_spec" not in unmapped
    assert imported.offerings == 16


# -- written files --------------------------------------------------------------------------------


def test_written_files_validate_and_price_exactly(imported, tmp_path):
    paths = write(imported, tmp_path, header=litellm.NOTICE)
    text = (tmp_path / "openai.toml").read_text()
    assert text.startswith("# Generated by llmcost")
    assert "# Copyright (c) 2023 Berri AI" in text
    with (tmp_path / "openai.toml").open("rb") as handle:
        data = tomllib.load(handle, parse_float=Decimal)
    gpt_x = next(m for m in data["models"] if m["id"] == "gpt-x")
    assert gpt_x["prices"][0]["rates"]["USD"]["cache_read_mtok"] == D("0.003625")
    catalog = load_catalog(tmp_path)
    assert len(paths) == len(imported.files)
    entry = catalog.price_at("gpt-x", datetime(2026, 12, 6, tzinfo=UTC), tier="batch")
    assert entry.rates["USD"].input_mtok == D("0.55")
    assert catalog.resolve("bedrock/us.anthropic.claude-w").key == "bedrock/us.anthropic.claude-w"
    assert catalog.resolve("claude-w-latest").key == "claude-w"


def test_as_an_overlay_curated_offerings_keep_their_prices(imported, tmp_path):
    shipped = load_catalog(None)
    overlay = over(imported, shipped)
    write(overlay, tmp_path, header=litellm.NOTICE)
    catalog = load_catalog(None, overlays=[tmp_path])
    assert ("gpt-5.5", KEPT) in overlay.unmapped
    assert {e.layer for e in catalog.entries("gpt-5.5")} == {"shipped"}  # no imported entry
    assert catalog.resolve("gpt-x").provider == "openai"
    # an imported offering whose id the shipped file has as an alias is that offering, and a
    # successor naming it names the shipped one
    assert catalog.resolve("gpt-5.5-2026-04-23").key == "gpt-5.5"
    assert offering(imported, "openai", "gpt-older")["successor"] == "gpt-5.5-2026-04-23"
    assert catalog.info("gpt-older").model.successor == "gpt-5.5"
    assert ("gpt-5.5-2026-04-23", KEPT) in overlay.unmapped
    assert offering(imported, "openai", "gpt-5.5-2026-04-23")["prices"][0]["rates"] == usd(
        input_mtok="4", output_mtok="30"
    )


# -- malformed input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"m": {"litellm_provider": "openai", "mode": "chat", "max_input_tokens": 10, '
         b'"input_cost_per_token": "1e-06", "output_cost_per_token": 1e-06}}',
         "f.json: 'm', input_cost_per_token: '1e-06' is not a number"),
        (b'{"m": {"litellm_provider": "openai", "mode": "chat", "max_input_tokens": 10, '
         b'"input_cost_per_token": -1e-06, "output_cost_per_token": 1e-06}}',
         "f.json: 'm', input_cost_per_token: -0.000001 is negative"),
        (b'{"m": [1]}', "f.json: 'm', (entry): must be a JSON object"),
        (b'[1]', "f.json: must be a JSON object of model keys"),
        (b'{"m": {"litellm_provider": "dashscope", "mode": "chat", "max_input_tokens": 10, '
         b'"tiered_pricing": [{"range": [0, 10], "input_cost_per_token": "cheap"}]}}',
         "f.json: 'm', tiered_pricing[0].input_cost_per_token: 'cheap' is not a rate"),
        (b'{"m": {"litellm_provider": "deepseek", "mode": "chat", "max_input_tokens": 10, '
         b'"input_cost_per_token": 1, "output_cost_per_token": 1, '
         b'"off_peak_pricing": {"hours_utc": "25:00-01:00"}}}',
         "f.json: 'm', off_peak_pricing.hours_utc: '25:00-01:00' is not a time of day"),
        (b'{"m": {"litellm_provider": "openai", "mode": "chat", "max_input_tokens": 10, '
         b'"input_cost_per_token": 1, "output_cost_per_token": 1, "deprecation_date": "soon"}}',
         "f.json: 'm', deprecation_date: 'soon' is not a YYYY-MM-DD date"),
    ],
)  # fmt: skip
def test_malformed_data_is_one_line_naming_file_key_and_field(data, message):
    with pytest.raises(InputError) as info:
        litellm.convert(data, published=DAY, source="some/dir/f.json")
    assert info.value.one_line().startswith(message)


def test_input_is_bounded(monkeypatch):
    monkeypatch.setattr(litellm, "MAX_BYTES", 10)
    with pytest.raises(InputError, match="more than a LiteLLM price map"):
        litellm.convert(b'{"a": {}, "b": {}}', published=DAY, source="f.json")


# -- real data ------------------------------------------------------------------------------------


def _check_real(path: Path, tmp_path: Path):
    imported = convert(path)
    write(imported, tmp_path / "alone", header=litellm.NOTICE)
    load_catalog(tmp_path / "alone")
    write(over(imported, load_catalog(None)), tmp_path / "overlay", header=litellm.NOTICE)
    load_catalog(None, overlays=[tmp_path / "overlay"])
    return imported


def test_trimmed_real_litellm_data_imports(tmp_path):
    imported = _check_real(TRIMMED, tmp_path)
    # 21 over 15: Cloudflare's `@cf/openai/gpt-oss-120b` is a model id since ids may start with @
    assert (imported.offerings, len(imported.files)) == (21, 15)
    assert price(imported, "cloudflare", "@cf/openai/gpt-oss-120b")["rates"]["USD"]
    reasons = Counter(reason for _, reason in imported.unmapped)
    assert reasons["mode image_generation is not text generation"] == 1
    assert reasons["rate search_context_cost_per_query not modelled"] >= 1
    assert price(imported, "deepseek", "deepseek-v4-pro")["windows"][0]["hours_utc"] == [
        "01:00-04:00",
        "06:00-10:00",
    ]


@pytest.mark.skipif(not REAL.exists(), reason="pricing/peers/litellm-1.110.2.json is missing")
def test_real_litellm_1_110_2_file_imports(tmp_path):
    imported = _check_real(REAL, tmp_path)
    # 3,292 over 84, and 33 ids starting with '@' (Cloudflare's `@cf/`, OpenInfer's `@oi/`)
    assert (imported.offerings, len(imported.files)) == (3325, 86)


def test_as_an_overlay_a_provider_spelt_otherwise_below_is_that_provider(tmp_path):
    """LiteLLM's `xai` where the catalog below has `x-ai` (alias `xai`, as the shipped market
    files do): the import's offerings join `x-ai`, a new one as `x-ai`'s, one it defines
    as names only, and no second provider claims the `xai` prefix."""
    below = tmp_path / "below"
    below.mkdir()
    (below / "x-ai.toml").write_text(
        'provider = "x-ai"\nname = "xAI"\naliases = ["xai"]\n'
        '[sources]\nS = { title = "t" }\n'
        '[[models]]\nid = "grok-9"\nname = "Grok 9"\nreleased = 2026-01-01T00:00:00Z\n'
        "context_window = 1000\nmax_output = 1000\n"
        "[[models.prices]]\npublished = 2026-01-01\nvalid_from = 2026-01-01T00:00:00Z\n"
        'kind = "list"\nsource = ["S"]\nrates.USD = { input_mtok = 1, output_mtok = 2 }\n'
    )
    entry = {"litellm_provider": "xai", "mode": "chat", "max_input_tokens": 1000,
             "input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05}  # fmt: skip
    data = json.dumps({"xai/grok-9": entry, "xai/grok-10": entry}).encode()
    imported = litellm.convert(data, published=DAY, source="x.json")
    overlay = over(imported, load_catalog(below))
    assert list(overlay.files) == ["x-ai"]
    write(overlay, tmp_path / "over", header=litellm.NOTICE)
    catalog = load_catalog(below, overlays=[tmp_path / "over"])
    assert catalog.resolve("xai/grok-10").provider == "x-ai"
    assert catalog.resolve("xai/grok-9").key == "grok-9"
    assert [e.layer for e in catalog.entries("grok-9")] == [str(below)]  # its price kept
