"""A bill is never wrong without a word: a count llmcost cannot find (absent, null, a
misspelt key or CSV column) is a rejection, never 0; counts that contradict each other are a
rejection, never priced either way; a workload the model cannot take (a prompt past its
context window, an output past its max output) is a rejection naming both numbers. Each
reader gives the same bill (the compiled scanner gives up; the SQL has the one definition)."""

from __future__ import annotations

import json

import pytest

from llmcost.errors import InputError
from llmcost.usage import scan
from llmcost.usage.bill import bill

T = "2026-01-10T00:00:00Z"
OK = {"model": "alpha-flash", "timestamp": T, "input": 1000, "output": 100}  # $0.0012
MISSING = "is missing: a count llmcost cannot find is not taken as 0"


def _three(catalog, paths):
    auto = bill(catalog, paths)
    assert auto == bill(catalog, paths, reader="duckdb")
    assert auto == bill(catalog, paths, reader="lines")
    return auto


def usage(**counts) -> dict:
    return {"model": "alpha-flash", "timestamp": T, "usage": counts}


def gemini(**counts) -> dict:
    return {"model": "alpha-flash", "timestamp": T, "usageMetadata": counts}


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"model": "alpha-flash", "timestamp": T, "input": 1000, "ouptut": 100},
         f"output {MISSING}"),
        ({"model": "alpha-flash", "timestamp": T, "input": 1000, "output": None},
         f"output {MISSING}"),
        (usage(prompt_tokens=10, completion_token=5), f"usage.completion_tokens {MISSING}"),
        (usage(prompt_tokens=10, completion_tokens=None), f"usage.completion_tokens {MISSING}"),
        (usage(input_tokens=10, output_token=5), f"usage.output_tokens {MISSING}"),
        # a gateway's Anthropic usage in OpenAI's names: was priced as 1,000 input, 0 output
        (usage(prompt_tokens=1100, completion_tokens=50, cache_read_input_tokens=1000),
         f"usage.input_tokens {MISSING}"),
        (usage(input_tokens=10, cache_read_input_tokens=5), f"usage.output_tokens {MISSING}"),
        (usage(prompt_cache_hit_tokens=3, completion_tokens=1),
         "usage.prompt_tokens is missing (nor both usage.prompt_cache_hit_tokens and "
         "usage.prompt_cache_miss_tokens)"),
        (usage(prompt_tokens=10, prompt_cache_hit_tokens=3), f"usage.completion_tokens {MISSING}"),
        (gemini(candidatesTokenCount=5), f"usageMetadata.promptTokenCount {MISSING}"),
        (gemini(promptTokenCount=10),
         "usageMetadata.candidatesTokenCount is missing (nor usageMetadata.totalTokenCount)"),
    ],
)  # fmt: skip
def test_a_count_llmcost_cannot_find_is_a_rejection_not_zero(
    bill_catalog, write_log, record, reason
):
    result = _three(bill_catalog, [write_log([OK, record, OK])])
    assert (result.priced, result.rejected) == (2, 1)
    assert result.rejections[0].line == 2
    assert result.rejections[0].reason.startswith(reason), result.rejections[0].reason
    assert str(result.total.total) == "0.0024"


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (usage(prompt_tokens=10, completion_tokens=5, total_tokens=16),
         "usage.total_tokens (16) is not prompt_tokens + completion_tokens (15)"),
        (usage(input_tokens=10, output_tokens=5, total_tokens=14),
         "usage.total_tokens (14) is not input_tokens + output_tokens (15)"),
        (usage(prompt_tokens=10, completion_tokens=5,
               completion_tokens_details={"reasoning_tokens": 6}),
         "usage.completion_tokens (5) is less than reasoning_tokens (6)"),
        (usage(input_tokens=10, output_tokens=5, output_tokens_details={"reasoning_tokens": 9}),
         "usage.output_tokens (5) is less than reasoning_tokens (9)"),
        (usage(prompt_tokens=10, prompt_cache_hit_tokens=3, prompt_cache_miss_tokens=6,
               completion_tokens=1),
         "usage.prompt_tokens (10) is not prompt_cache_hit_tokens + prompt_cache_miss_tokens (9)"),
        (usage(prompt_tokens=10, prompt_cache_hit_tokens=3, prompt_cache_miss_tokens=7,
               completion_tokens=1, total_tokens=10),
         "usage.total_tokens (10) is not prompt_tokens + completion_tokens (11)"),
        (usage(input_tokens=10, output_tokens=5, cache_creation_input_tokens=30,
               cache_creation={"ephemeral_5m_input_tokens": 10, "ephemeral_1h_input_tokens": 10}),
         "usage.cache_creation_input_tokens (30) is not ephemeral_5m_input_tokens + "
         "ephemeral_1h_input_tokens (20)"),
        (gemini(promptTokenCount=10, thoughtsTokenCount=5, totalTokenCount=10),
         "usageMetadata.totalTokenCount (10) is not promptTokenCount + candidatesTokenCount + "
         "thoughtsTokenCount + toolUsePromptTokenCount (15)"),
        (gemini(promptTokenCount=10, candidatesTokenCount=5, totalTokenCount=12),
         "usageMetadata.totalTokenCount (12) is not"),
        ({**OK, "cached": 1001}, "cache hits and writes (1001) exceed the prompt (1000)"),
    ],
)  # fmt: skip
def test_counts_that_contradict_each_other_are_rejected(bill_catalog, write_log, record, reason):
    result = _three(bill_catalog, [write_log([OK, record])])
    assert (result.priced, result.rejected) == (1, 1)
    assert result.rejections[0].reason.startswith(reason), result.rejections[0].reason
    # which count is right is unknown: none of them is reported as unpriced tokens
    assert set(result.unpriced_tokens.values()) == {0}


@pytest.mark.skipif(not scan.available(), reason="LLMCOST_PURE is set")
def test_counts_that_agree_stay_on_the_compiled_path(bill_catalog, write_log, monkeypatch):
    """Real logs carry totals and details: the scanner checks them and prices the file."""
    seen = []
    real = scan.Scanner.file
    monkeypatch.setattr(scan.Scanner, "file",
                        lambda self, *a: seen.append(real(self, *a)) or seen[-1])  # fmt: skip
    records = [
        usage(prompt_tokens=10, completion_tokens=5, total_tokens=15,
              completion_tokens_details={"reasoning_tokens": 5}),
        usage(input_tokens=10, output_tokens=5, total_tokens=15,
              output_tokens_details={"reasoning_tokens": 0}),
        usage(prompt_tokens=10, prompt_cache_hit_tokens=3, prompt_cache_miss_tokens=7,
              completion_tokens=1, total_tokens=11),
        usage(input_tokens=10, output_tokens=5, cache_creation_input_tokens=20,
              cache_creation={"ephemeral_5m_input_tokens": 10, "ephemeral_1h_input_tokens": 10}),
        gemini(promptTokenCount=10, thoughtsTokenCount=5, toolUsePromptTokenCount=2,
               totalTokenCount=17),  # an empty reply: no candidatesTokenCount, the total says 0
        gemini(promptTokenCount=10, candidatesTokenCount=5, totalTokenCount=15),
    ]  # fmt: skip
    result = _three(bill_catalog, [write_log(records)])
    assert (result.priced, result.rejected) == (6, 0)
    assert seen[0] is not None
    # input 10+10+10+(10+20)+12+10 = 82; output 5+5+1+5+5+5 = 26
    assert (result.tokens["input"], result.tokens["output"]) == (82, 26)


@pytest.mark.parametrize(
    ("counts", "reason"),
    [
        (
            {"input": 1_000_001, "output": 0},
            "a prompt of 1000001 tokens is past alpha-flash's context window of 1000000 tokens",
        ),
        (
            {"input": 10, "output": 100_001},
            "an output of 100001 tokens is past alpha-flash's max output of 100000 tokens",
        ),
    ],
)
def test_a_workload_the_model_cannot_take_is_rejected(bill_catalog, write_log, counts, reason):
    at_limit = {**OK, "input": 1_000_000, "output": 100_000}
    result = _three(bill_catalog, [write_log([at_limit, {**OK, **counts}])])
    assert (result.priced, result.rejected) == (1, 1)
    assert result.rejections[0].reason == reason
    assert result.unpriced_tokens["input"] == counts["input"]  # its counts are known


def test_a_csv_without_the_output_column_is_an_error_naming_it(bill_catalog, tmp_path):
    path = tmp_path / "u.csv"
    path.write_text("model,timestamp,input,completion_tokens\nalpha-flash,2026-01-10,1000,100\n")
    with pytest.raises(InputError) as error:
        bill(bill_catalog, [path])
    text = error.value.one_line()
    assert "CSV without the column(s) output" in text
    assert "the header has completion_tokens, which llmcost does not read" in text


def test_a_csv_row_with_an_empty_output_cell_is_rejected(bill_catalog, tmp_path):
    path = tmp_path / "u.csv"
    path.write_text(
        "model,timestamp,input,output\nalpha-flash,2026-01-10,1000,100\nalpha-flash,2026-01-10,1000,\n"
    )
    result = bill(bill_catalog, [path])
    assert (result.priced, result.rejected) == (1, 1)
    assert (result.rejections[0].line, result.rejections[0].reason.split(":")[0]) == (
        3,
        "output is missing",
    )


def test_counts_as_strings_null_or_negative(bill_catalog, write_log):
    records = [
        {**OK, "output": "100"},  # digits in a string: read as the number
        {**OK, "output": "-1"},
        {**OK, "output": -1},
        {**OK, "input": None},
    ]
    result = _three(bill_catalog, [write_log(records)])
    assert (result.priced, result.rejected) == (1, 3)
    assert [r.reason for r in result.rejections][:2] == [
        "output: -1 is not a non-negative whole number of at most 18 digits",
        "output: -1 is not a non-negative whole number of at most 18 digits",
    ]
    assert result.rejections[2].reason.startswith("no usage")
    assert json.dumps(result.unpriced_tokens)


@pytest.mark.parametrize("column", ["cached_tokens", "reasoning_tokens", "Prompt_Tokens"])
def test_a_csv_count_under_another_name_is_an_error_not_zero(bill_catalog, tmp_path, column):
    path = tmp_path / "u.csv"
    path.write_text(f"model,timestamp,input,output,{column}\nalpha-flash,2026-01-10,1000,100,9\n")
    with pytest.raises(InputError) as error:
        bill(bill_catalog, [path])
    assert f"the CSV column(s) {column} look like token counts llmcost does not read" in (
        error.value.one_line()
    )


def test_a_csv_may_carry_other_columns(bill_catalog, tmp_path):
    path = tmp_path / "u.csv"
    path.write_text("model,timestamp,input,output,user,request\nalpha-flash,2026-01-10,1,1,a,b\n")
    assert bill(bill_catalog, [path]).priced == 1
