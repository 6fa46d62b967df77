"""Each provider shape priced by hand on the fixture catalog (USD per 1M tokens).

beta-large: input 10, cache read 1, write 5m 12.5, write 1h 20, output 50; over 100,000 prompt
tokens 20 / 2 / 25 / 40 / 75; batch x0.5. alpha-flash: 1 / 0.1 / 2, from 2026-03-01 peak
Mon-Fri 01:00-04:00 UTC at 2 / 0.2 / 4 (CNY x7). alpha-pro: no cache-read rate.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from llmcost.usage.bill import bill

T = "2026-01-10T00:00:00Z"


def one(catalog, write_log, record, **kw):
    result = bill(catalog, [write_log([record])], **kw)
    assert result.rejected == 0, result.rejections
    assert result.priced == 1
    return result.total


def test_anthropic_input_excludes_cache_tokens_and_ttl_split(bill_catalog, write_log):
    usage = {
        "input_tokens": 1000,
        "cache_read_input_tokens": 2000,
        "cache_creation_input_tokens": 3000,
        "cache_creation": {"ephemeral_5m_input_tokens": 1000, "ephemeral_1h_input_tokens": 2000},
        "output_tokens": 500,
    }
    cost = one(bill_catalog, write_log, {"model": "beta-large", "timestamp": T, "usage": usage})
    assert (cost.input, cost.cache_read, cost.output) == (D("0.01"), D("0.002"), D("0.025"))
    assert cost.cache_write == D("0.0125") + D("0.04")
    assert cost.total == D("0.0895")


def test_anthropic_without_split_is_five_minute_writes(bill_catalog, write_log):
    usage = {"input_tokens": 0, "cache_creation_input_tokens": 1000, "output_tokens": 0}
    cost = one(bill_catalog, write_log, {"model": "beta-large", "timestamp": T, "usage": usage})
    assert cost.total == D("0.0125")


def test_batch_record_at_batch_rate(bill_catalog, write_log):
    usage = {"input_tokens": 1000, "cache_read_input_tokens": 0, "output_tokens": 500}
    record = {"model": "beta-large", "timestamp": T, "batch": True, "usage": usage}
    assert one(bill_catalog, write_log, record).total == (D("0.01") + D("0.025")) / 2


def test_openai_chat_tier_on_whole_prompt(bill_catalog, write_log):
    def chat(prompt):
        usage = {
            "prompt_tokens": prompt,
            "prompt_tokens_details": {"cached_tokens": 1},
            "completion_tokens": 10,
            "completion_tokens_details": {"reasoning_tokens": 8},
        }
        return {"model": "beta-large", "created": 1768003200, "usage": usage}

    assert one(bill_catalog, write_log, chat(100_000)).total == D("1.000491")
    assert one(bill_catalog, write_log, chat(100_001)).total == D("2.000752")


def test_openai_responses(bill_catalog, write_log):
    usage = {
        "input_tokens": 1000,
        "input_tokens_details": {"cached_tokens": 400},
        "output_tokens": 100,
        "output_tokens_details": {"reasoning_tokens": 60},
        "total_tokens": 1100,
    }
    record = {"model": "Beta/Beta-Large-1.0", "timestamp": T, "usage": usage}
    assert one(bill_catalog, write_log, record).total == D("0.0114")


def test_whole_logged_response_bodies_price_as_they_are(shipped_catalog, write_log):
    """A Responses body (its `output` is an array, its time `created_at`) and a Chat body
    (time `created`), exactly as the API returns them."""
    responses = {
        "id": "resp_1", "object": "response", "created_at": 1780000000,  # 2026-05-28
        "status": "completed", "model": "gpt-5.5-2026-04-23",
        "output": [{"type": "message", "role": "assistant",
                    "content": [{"type": "output_text", "text": "Hello"}]}],
        "usage": {"input_tokens": 36, "input_tokens_details": {"cached_tokens": 0},
                  "output_tokens": 87, "output_tokens_details": {"reasoning_tokens": 0},
                  "total_tokens": 123},
    }  # fmt: skip
    chat = {
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1780000000,
        "model": "gpt-5.5", "choices": [{"index": 0, "message": {"content": "Hi"}}],
        "usage": {"prompt_tokens": 19, "completion_tokens": 10, "total_tokens": 29},
    }  # fmt: skip
    gemini = {  # a generateContent body: the model is `modelVersion`
        "timestamp": "2026-06-01T00:00:00Z",
        "candidates": [{"content": {"parts": [{"text": "Hi"}], "role": "model"}}],
        "usageMetadata": {"promptTokenCount": 1106, "candidatesTokenCount": 778,
                          "thoughtsTokenCount": 1089, "totalTokenCount": 2973},
        "modelVersion": "gemini-3.1-pro-preview",
    }  # fmt: skip
    result = bill(shipped_catalog, [write_log([responses, chat, gemini])])
    assert (result.priced, result.rejected) == (3, 0), result.rejections
    # gpt-5.5 list 5 / 30: (36 + 19) x 5 + (87 + 10) x 30 = 275 + 2910 = 3185 per 1M;
    # gemini-3.1-pro 2 / 12: 1106 x 2 + (778 + 1089) x 12 = 2212 + 22404 = 24616 per 1M
    assert result.total.total == D("0.003185") + D("0.024616")


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("2026-03-02T00:59:59Z", "0.00048"),  # Monday, before the peak
        ("2026-03-02T01:00:00Z", "0.00096"),  # peak starts
        ("2026-03-02T03:59:59.999999Z", "0.00096"),
        ("2026-03-02T04:00:00Z", "0.00048"),  # peak ends
        ("2026-03-07T02:00:00Z", "0.00048"),  # Saturday: no peak
        (1772413200, "0.00096"),  # 2026-03-02T01:00Z as Unix seconds
    ],
)
def test_deepseek_peak_boundaries(bill_catalog, write_log, at, expected):
    usage = {
        "prompt_tokens": 1000,
        "prompt_cache_hit_tokens": 800,
        "prompt_cache_miss_tokens": 200,
        "completion_tokens": 100,
    }
    cost = one(bill_catalog, write_log, {"model": "alpha-flash", "timestamp": at, "usage": usage})
    assert cost.total == D(expected)


def test_currency_cny(bill_catalog, write_log):
    record = {"model": "alpha-flash", "timestamp": T, "input": 1000, "output": 100}
    assert one(bill_catalog, write_log, record, currency="CNY").total == D("0.0084")


def test_gemini_thoughts_are_output_and_tool_prompt_is_input(bill_catalog, write_log):
    meta = {
        "promptTokenCount": 1000,
        "cachedContentTokenCount": 300,
        "toolUsePromptTokenCount": 100,
        "candidatesTokenCount": 50,
        "thoughtsTokenCount": 150,
        "totalTokenCount": 1300,
    }
    record = {"model": "alpha-flash", "timestamp": T, "usageMetadata": meta}
    assert one(bill_catalog, write_log, record).total == D("0.00123")


@pytest.mark.parametrize(
    ("at", "known", "expected"),
    [
        ("2026-01-20T00:00:00Z", None, "0.0012"),  # promo; no cache-read rate: hits as input
        ("2026-01-20T00:00:00Z", "2026-01-05", "0.0048"),  # promo not yet known
        ("2026-02-01T11:59:59Z", None, "0.0012"),
        ("2026-02-01T12:00:00Z", None, "0.0024"),  # the new list price
        ("2026-02-01T12:00:00Z", "2026-01-12", "0.0048"),  # as known before it
    ],
)
def test_canonical_bitemporal(bill_catalog, write_log, at, known, expected):
    from datetime import date

    record = {"model": "alpha-pro", "timestamp": at, "input": 1000, "cached": 500, "output": 100}
    k = date.fromisoformat(known) if known else None
    assert one(bill_catalog, write_log, record, known=k).total == D(expected)


# -- the real catalog at its real boundaries ----------------------------------------------------

M = 1_000_000


@pytest.mark.parametrize(
    ("known", "at", "expected"),
    [
        ("2026-05-03", "2026-05-31T15:58:00Z", "0.435"),  # promo
        ("2026-05-03", "2026-05-31T16:00:00Z", "1.74"),  # list price as known on May 3
        (None, "2026-05-31T16:00:00Z", "0.435"),  # the quarter price made permanent
    ],
)
def test_v4_pro_promo_end(shipped_catalog, write_log, known, at, expected):
    from datetime import date

    record = {"model": "deepseek-v4-pro", "timestamp": at, "input": M, "output": 0}
    k = date.fromisoformat(known) if known else None
    assert one(shipped_catalog, write_log, record, known=k).total == D(expected)


@pytest.mark.parametrize(
    ("at", "expected"), [("2026-04-26T12:14:59Z", "0.028"), ("2026-04-26T12:15:00Z", "0.0028")]
)
def test_cache_hit_cut(shipped_catalog, write_log, at, expected):
    record = {"model": "deepseek-v4-flash", "timestamp": at, "input": M, "cached": M, "output": 0}
    assert one(shipped_catalog, write_log, record).total == D(expected)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("2026-08-17T00:59:59Z", "0.22"),
        ("2026-08-17T01:00:00Z", "0.44"),
        ("2026-08-17T04:00:00Z", "0.22"),
        ("2026-08-17T06:00:00Z", "0.44"),
        ("2026-08-17T10:00:00Z", "0.22"),
    ],
)
def test_deepseek_peak_after_august_16(shipped_catalog, write_log, at, expected):
    record = {"model": "deepseek-v4-flash", "timestamp": at, "input": M, "output": 0}
    assert one(shipped_catalog, write_log, record).total == D(expected)
