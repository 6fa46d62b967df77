"""The CLI through typer's CliRunner, on the fixture catalog (never the live prices).

Workload used throughout, `W`: 1,000 requests of 2,000 prompt tokens (1,000 of them cache
hits) and 500 output tokens, i.e. 1M uncached input, 1M cached and 0.5M output tokens.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from llmcost.cli.app import app
from tests.conftest import FIXTURE_PRICING

runner = CliRunner()
CAT = ["--catalog", str(FIXTURE_PRICING)]
W = ["--input", "2k", "--cached", "1000", "--output", "500", "--requests", "1_000"]


def run(*args: str):
    return runner.invoke(app, list(args), env={"NO_COLOR": "1", "COLUMNS": "200"})


def run_json(*args: str) -> dict:
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def assert_bad_input(result, *needles: str) -> None:
    """Exit 2, exactly one line on stderr, naming what is wrong; nothing on stdout."""
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    assert result.stdout == ""


# -- compare ----------------------------------------------------------------------------------


def test_compare_json_costs_cheapest_first():
    doc = run_json("compare", *W, "--at", "2026-01-20", *CAT)
    rows = {r["model"]: r for r in doc["rows"]}
    # alpha-flash: 1M x $1 + 1M x $0.1 + 0.5M x $2 = 2.1
    assert rows["alpha-flash"]["total"] == "2.1"
    assert rows["alpha-flash"]["input"] == "1"
    assert rows["alpha-flash"]["cache_read"] == "0.1"
    assert rows["alpha-flash"]["output"] == "1"
    # alpha-pro promo (1/2, no cache-read rate so hits are input): 1 + 1 + 0.5M x 2 = 3
    assert rows["alpha-pro"]["total"] == "3"
    # beta-large: 1M x 10 + 1M x 1 + 0.5M x 50 = 36
    assert rows["beta-large"]["total"] == "36"
    # alpha-old (retired only on 2026-02-01): 1M x 0.5 + 1M x 0.05 + 0.5M x 1 = 1.05
    assert rows["alpha-old"]["total"] == "1.05"
    order = ["alpha-old", "alpha-flash", "alpha-pro", "beta-large"]
    assert [r["model"] for r in doc["rows"]] == order
    assert doc["rows"][3]["multiple_of_cheapest"] == "34.2857"  # 36 / 1.05
    assert doc["catalog_version"] == "2026-02-20"
    assert doc["at"] == "2026-01-20T00:00:00Z"
    assert doc["workload"]["input"] == "2000"
    assert doc["skipped"] == []


def test_compare_leaves_out_a_retired_model_and_says_so():
    result = run("compare", *W, "--at", "2026-02-10", *CAT, "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert [s["model"] for s in doc["skipped"]] == ["alpha-old"]
    assert "alpha-old" in result.stderr and "retired" in result.stderr


def test_compare_money_is_never_a_float():
    result = run("compare", *W, "--at", "2026-01-20", *CAT, "--format", "json")
    doc = json.loads(result.stdout, parse_float=lambda s: pytest.fail(f"float in JSON: {s}"))
    assert all(isinstance(row["total"], str) for row in doc["rows"])


def test_compare_catalog_version_reproduces_what_was_known():
    # As known on 2026-01-05 the promo (published 2026-01-10) did not exist: list 4/8 with
    # hits billed as input: 2M x 4 + 0.5M x 8 = 12. As known later: the promo, 3.
    pinned = ["--catalog", f"{FIXTURE_PRICING}@2026-01-05"]
    doc = run_json("compare", "alpha-pro", *W, "--at", "2026-01-20", *pinned)
    assert doc["rows"][0]["total"] == "12"
    assert doc["catalog_version"] == "2026-01-01"
    doc = run_json("compare", "alpha-pro", *W, "--at", "2026-01-20", *CAT)
    assert doc["rows"][0]["total"] == "3"


def test_compare_baseline_savings_and_batch():
    doc = run_json(
        "compare", "alpha-flash", *W, "--at", "2026-01-20", "--baseline", "beta-large", *CAT
    )
    rows = {r["model"]: r for r in doc["rows"]}
    assert doc["baseline"] == "beta-large"
    # (36 - 2.1) / 36 = 0.941666.. -> 0.9417
    assert rows["alpha-flash"]["savings_vs_baseline"] == "0.9417"
    assert rows["beta-large"]["savings_vs_baseline"] == "0"
    doc = run_json("compare", "beta-large", *W, "--at", "2026-01-20", "--batch", *CAT)
    assert doc["rows"][0]["total"] == "18"  # half of 36


def test_compare_month_splits_at_the_promo_end():
    # alpha-pro in 2026-02 (28 days): promo 1/2 until 02-01 12:00, then list 2/4.
    # Per request: promo 2000 x 1 + 500 x 2 = 3000 -> $0.003; list 2000 x 2 + 500 x 4 -> $0.006.
    # 1000 requests: 12h of 672h at 0.003 and 660h at 0.006:
    # 1000 x (0.003 x 12 + 0.006 x 660) / 672 = 1000 x 3.996 / 672 = 5.946428571428571428571...
    doc = run_json("compare", "alpha-pro", *W, "--month", "2026-02", *CAT)
    assert doc["at"] is None
    assert doc["period"] == {"from": "2026-02-01T00:00:00Z", "until": "2026-03-01T00:00:00Z"}
    assert doc["rows"][0]["total"] == "5.94642857142857142857"
    assert doc["rows"][0]["applied"] == ["promo", "list"]


def test_compare_currency_cny():
    doc = run_json("compare", "alpha-flash", *W, "--at", "2026-01-20", "--currency", "cny", *CAT)
    assert doc["currency"] == "CNY"
    assert doc["rows"][0]["total"] == "14.7"  # 7 x 2.1


def test_compare_table_csv_markdown():
    table = run("compare", *W, "--at", "2026-01-20", *CAT)
    assert table.exit_code == 0
    assert "alpha-flash" in table.stdout and "$2.10" in table.stdout
    csv_out = run("compare", *W, "--at", "2026-01-20", *CAT, "--format", "csv").stdout
    header, first, second = csv_out.splitlines()[:3]
    assert header.startswith("model,currency,total,per_request,input")
    assert first.startswith("alpha-old,USD,1.05,0.00105,0.5,0.05,0,0.5,")
    assert second.startswith("alpha-flash,USD,2.1,0.0021,1,0.1,0,1,")
    md = run("compare", *W, "--at", "2026-01-20", *CAT, "--format", "markdown").stdout
    assert "| alpha-flash | $2.10 |" in md


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["nope-model", *W], ["unknown model 'nope-model'"]),
        (["alpha-flsh", *W], ["did you mean 'alpha-flash'"]),
        (["alpha-old", *W], ["retired", "alpha-flash"]),
        (["alpha-flash", "--input", "-5", "--output", "1"], ["--input", "negative"]),
        (["alpha-flash", "--input", "2x", "--output", "1"], ["--input", "not a count"]),
        (["alpha-flash", "--input", "100", "--cached", "200", "--output", "1"], ["exceed"]),
        (["alpha-flash", *W, "--cache-hit-rate", "0.5"], ["exclude each other"]),
        (
            ["alpha-flash", "--input", "1k", "--cache-hit-rate", "150%", "--output", "1"],
            ["0 and 1"],
        ),
        (["alpha-flash", *W, "--at", "yesterday-ish"], ["--at", "not a date"]),
        (["alpha-flash", *W, "--month", "2026-13"], ["--month", "not a month"]),
        (["alpha-flash", *W, "--at", "2026-01-20", "--month", "2026-01"], ["exclude"]),
        (["alpha-flash", *W, "--at", "2025-12-01"], ["not released"]),
        (["alpha-pro", *W, "--currency", "CNY"], ["no CNY price"]),
        (["alpha-flash", *W, "--batch"], ["batch"]),
        (["alpha-flash", *W, "--format", "xml"], ["--format"]),
        (["alpha-flash", *W, "--currency", "EUR"], ["--currency", "EUR", "USD"]),
        (["alpha-flash", "--input", "1.0000000000001", "--output", "1"], ["12 decimal places"]),
        (["alpha-flash", *W, "--save-budget", "b.toml", "--limit", "1e16"], ["--limit", "range"]),
        (["alpha-flash", *W, "--month", "0000-01"], ["--month", "out of range"]),
        (["alpha-flash", *W, "--month", "9999-12"], ["--month", "out of range"]),
    ],
)
def test_compare_bad_input_exits_2_with_one_line(args, needles):
    at = [] if "--at" in args or "--month" in args else ["--at", "2026-02-10"]
    assert_bad_input(run("compare", *args, *at, *CAT), *needles)


def test_a_wrong_provider_prefix_is_not_forgiven():
    assert_bad_input(
        run("compare", "beta/alpha-flash", *W, "--at", "2026-01-20", *CAT),
        "alpha-flash belongs to alpha",
        "alpha/alpha-flash",
    )


def test_a_model_named_twice_is_compared_once():
    doc = run_json("compare", "alpha-flash", "alpha.flash", *W, "--at", "2026-01-20", *CAT)
    assert [r["model"] for r in doc["rows"]] == ["alpha-flash"]


def test_names_resolve_forgivingly():
    for name in ["ALPHA-FLASH", "alpha.flash", "openrouter/alpha/alpha-flash", "alpha-fast"]:
        doc = run_json("compare", name, *W, "--at", "2026-01-20", *CAT)
        assert doc["rows"][0]["model"] == "alpha-flash"


# -- prices -----------------------------------------------------------------------------------


def test_prices_at_an_instant_follow_peak_hours():
    # 2026-03-02 is a Monday: 02:00 UTC is peak (2/0.2/4), 05:00 off-peak (1/0.1/2).
    peak = run_json("prices", "alpha-flash", "--at", "2026-03-02T02:00Z", *CAT)
    off = run_json("prices", "alpha-flash", "--at", "2026-03-02T05:00Z", *CAT)
    (p,), (o,) = peak["models"], off["models"]
    assert (p["input"], p["cache_read"], p["output"]) == ("2", "0.2", "4")
    assert (o["input"], o["cache_read"], o["output"]) == ("1", "0.1", "2")
    assert p["cache_write"] is None  # no such rate: null, not 0
    assert p["applied"] == ["list", "peak"]
    assert peak["at"] == "2026-03-02T02:00:00Z"
    for key in ("model", "provider", "currency", "kind", "valid_from", "valid_until"):
        assert key in p


def test_prices_default_lists_models_priced_then():
    doc = run_json("prices", "--at", "2026-01-20", *CAT)
    models = sorted(m["model"] for m in doc["models"])
    assert models == ["alpha-flash", "alpha-old", "alpha-pro", "beta-large"]
    later = run_json("prices", "--at", "2026-02-01", *CAT)  # alpha-old retired at that instant
    assert "alpha-old" not in [m["model"] for m in later["models"]]


def test_prices_history_lists_every_entry_with_both_times():
    doc = run_json("prices", "alpha-pro", "--history", *CAT)
    entries = doc["entries"]
    assert [e["kind"] for e in entries] == ["list", "promo", "list"]
    assert entries[1]["published"] == "2026-01-10"
    assert entries[1]["valid_until"] == "2026-02-01T12:00:00Z"


def test_prices_show_when_a_later_entry_takes_over():
    # alpha-pro's launch price is open-ended in its own entry, but a promo published later
    # takes over on 2026-01-15; the promo gives way to the new list price at 2026-02-01 12:00
    def row(at: str) -> dict:
        return run_json("prices", "alpha-pro", "alpha-old", "--at", at, *CAT)["models"]

    launch, old = row("2026-01-10")
    assert (launch["valid_from"], launch["valid_until"]) == (
        "2026-01-01T00:00:00Z",
        "2026-01-15T00:00:00Z",
    )
    assert old["valid_until"] == "2026-02-01T00:00:00Z"  # its retirement
    promo = row("2026-01-20")[0]
    assert (promo["valid_from"], promo["valid_until"]) == (
        "2026-01-15T00:00:00Z",
        "2026-02-01T12:00:00Z",
    )
    # as known on 2026-01-05 nothing later was published: no end
    known = run_json("prices", "alpha-pro", "--at", "2026-01-20", "--catalog",
                     f"{FIXTURE_PRICING}@2026-01-05")["models"][0]  # fmt: skip
    assert known["valid_until"] is None


def test_prices_unknown_model_is_an_error():
    assert_bad_input(run("prices", "gpt-9", *CAT), "unknown model 'gpt-9'")


# -- catalog ----------------------------------------------------------------------------------


def test_catalog_validate_ok_and_broken(tmp_path):
    doc = run_json("catalog", "validate", str(FIXTURE_PRICING))
    assert doc["valid"] is True
    broken = tmp_path / "broken.toml"
    text = (FIXTURE_PRICING / "alpha.toml").read_text()
    broken.write_text(text.replace("input_mtok = 4,", "input_mtok = -4,"))
    assert_bad_input(run("catalog", "validate", str(broken)), "broken.toml", "alpha-pro", "input")


def test_catalog_versions_say_what_changed():
    doc = run_json("catalog", "versions", *CAT)
    versions = {v["version"]: v["changes"] for v in doc["versions"]}
    assert [c["kind"] for c in versions["2026-01-10"]] == ["promo"]
    assert versions["2026-01-10"][0]["model"] == "alpha-pro"
    # the rates as exact strings, every kind (null: no such rate), not only the display text
    usd = versions["2026-01-10"][0]["terms"]["rates"]["USD"]
    assert (usd["input"], usd["output"], usd["cache_read"], usd["cache_write"]) == (
        "1", "2", None, None)  # fmt: skip


def test_catalog_diff_names_the_stretches_that_changed():
    doc = run_json("catalog", "diff", "2026-01-05", "2026-01-30", *CAT)
    changes = [(c["model"], c["valid_from"], c["valid_until"]) for c in doc["changes"]]
    # the promo stretch and, from 2026-02-01 12:00, the new list price
    assert changes == [
        ("alpha-pro", "2026-01-15T00:00:00Z", "2026-02-01T12:00:00Z"),
        ("alpha-pro", "2026-02-01T12:00:00Z", None),
    ]
    old, new = doc["changes"][1]["old_terms"], doc["changes"][1]["new_terms"]
    assert (old["rates"]["USD"]["input"], new["rates"]["USD"]["input"]) == ("4", "2")
    none = run_json("catalog", "diff", "2026-02-20", "2026-03-01", *CAT)
    assert none["changes"] == []


def test_catalog_version_before_the_first_is_an_error():
    assert_bad_input(run("catalog", "diff", "2020-01-01", "2026-01-30", *CAT), "2020-01-01")


def test_every_command_has_help():
    for command in (
        [],
        ["prices"],
        ["compare"],
        ["catalog"],
        ["catalog", "validate"],
        ["catalog", "versions"],
        ["catalog", "diff"],
    ):
        result = run(*command, "--help")
        assert result.exit_code == 0, command
        assert "Usage" in result.stdout


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("llmcost 0.")


# -- compare over a month in which a model exists only part of the time ----------------------


@pytest.fixture
def retiring_mid_month(tmp_path) -> list[str]:
    """The fixture catalog with alpha-old retired on 2026-01-20, inside January."""
    text = (FIXTURE_PRICING / "alpha.toml").read_text()
    (tmp_path / "alpha.toml").write_text(
        text.replace("retired = 2026-02-01T00:00:00Z", "retired = 2026-01-20T00:00:00Z")
    )
    (tmp_path / "beta.toml").write_text((FIXTURE_PRICING / "beta.toml").read_text())
    return ["--catalog", str(tmp_path)]


def test_compare_month_prices_the_models_that_exist_all_month_and_names_the_rest(
    retiring_mid_month,
):
    args = ["compare", "alpha-old", "alpha-flash", *W, "--month", "2026-01", *retiring_mid_month]
    result = run(*args, "-f", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert [r["model"] for r in doc["rows"]] == ["alpha-flash"]
    assert doc["rows"][0]["total"] == "2.1"  # 1 + 0.1 + 1, all of January
    assert doc["skipped"][0]["model"] == "alpha-old"
    assert "alpha-old was retired at 2026-01-20 00:00 UTC" in result.stderr


def test_compare_month_of_one_named_model_that_exists_part_of_it_is_exit_2(retiring_mid_month):
    result = run("compare", "alpha-old", *W, "--month", "2026-01", *retiring_mid_month)
    assert_bad_input(result, "alpha-old was retired at 2026-01-20 00:00 UTC")


# -- a QA pass over compare and simulate ------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--at", "2026-01-10T10:00+05:60"], "has an invalid UTC offset"),  # was read as +06:00
        (["--at", "2026-01-10T10:00+23:59"], "has an invalid UTC offset"),
        (["--at", ""], "is not a date or an ISO 8601 instant"),  # was "now"
        (["--input", "1__0"], "'1__0' is not a count"),  # was 10
        (["--requests", "0"], "0 requests cost nothing"),  # was a silent $0
    ],
)
def test_compare_refuses_what_a_qa_pass_found_it_took(args, needle):
    base = {"--input": "1k", "--output": "100", "--at": "2026-01-10"}
    flags = dict(base, **dict(zip(args[::2], args[1::2], strict=True)))
    assert_bad_input(
        run("compare", "alpha-flash", *[x for kv in flags.items() for x in kv], *CAT), needle
    )


@pytest.mark.parametrize(
    ("share", "needle"),
    [
        ("33.3333333333333333", "has more than 12 decimal places"),  # was rounded
        ("1e2", "is not a number"),
    ],
)
def test_simulate_shares_are_plain_percents_of_at_most_12_decimals(share, needle):
    mix = f"alpha-flash={share},alpha-pro=66.6666666666666667"
    result = run("simulate", "--mix", mix, "--input", "1k", "--output", "1", "--at",
                 "2026-01-10", *CAT)  # fmt: skip
    assert_bad_input(result, needle)
