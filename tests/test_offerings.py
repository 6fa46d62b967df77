"""Offerings (a model as one provider bills it) and service tiers, on the fixture catalog with
the hosts of tests/fixtures/hosts layered over it. Rates are in the fixtures' headers.

A workload of 10 requests x (100K prompt of which 50K cached, 10K output) at 2026-02-10:
- alpha-flash (alpha's own, 1 / 0.1 / 2): 0.5M x 1 + 0.5M x 0.1 + 0.1M x 2 = 0.75
- gamma/alpha-flash (1.5 / 0.15 / 3): 0.75 + 0.075 + 0.3 = 1.125
- its flex tier (0.75 / 0.15 / 1.5: cache reads not discounted): 0.375 + 0.075 + 0.15 = 0.6
- its priority tier (x2): 2.25
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmcost.catalog.load import load_catalog
from llmcost.cli.app import app
from llmcost.engine import Workload, cost_at
from llmcost.errors import NotPriced, UnknownModel
from tests.conftest import FIXTURE_PRICING

HOSTS = Path(__file__).resolve().parent / "fixtures" / "hosts"
CAT = ["--catalog", str(FIXTURE_PRICING), "--pricing", str(HOSTS)]
W = ["--input", "100k", "--cached", "50k", "--output", "10k", "--requests", "10"]
AT = datetime(2026, 2, 10, tzinfo=UTC)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(FIXTURE_PRICING, overlays=[HOSTS])


def run(*args: str):
    return CliRunner().invoke(app, list(args), env={"NO_COLOR": "1", "COLUMNS": "200"})


def run_json(*args: str) -> dict:
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


# -- names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("alpha-flash", "alpha-flash"),  # a bare name: the maker's own offering
        ("alpha/alpha-flash", "alpha-flash"),
        ("Alpha/Alpha.Flash", "alpha-flash"),
        ("gamma/alpha-flash", "gamma/alpha-flash"),  # the host's
        ("gamma_ai/alpha.flash", "gamma/alpha-flash"),  # a provider alias
        ("GAMMA/gam.alpha-flash-v1", "gamma/alpha-flash"),  # the host's own id
        ("gam.alpha-flash-v1", "gamma/alpha-flash"),  # ...only one offering carries it
        ("models/gamma/alpha-flash", "gamma/alpha-flash"),  # an unknown prefix is passed over
        ("epsilon/delta-open", "epsilon/delta-open"),
    ],
)
def test_names_resolve_to_offerings(catalog, name, key):
    assert catalog.resolve(name).key == key


def test_a_provider_that_does_not_offer_the_model_is_an_error_not_the_makers_price(catalog):
    with pytest.raises(UnknownModel) as info:
        catalog.resolve("gamma/alpha-pro")
    assert "gamma does not offer it" in info.value.message
    assert "alpha-pro belongs to alpha" in info.value.message


def test_a_name_only_hosts_carry_is_ambiguous_and_lists_them(catalog):
    with pytest.raises(UnknownModel) as info:
        catalog.resolve("delta-open")
    assert "ambiguous" in info.value.message
    assert "epsilon/delta-open" in info.value.message and "gamma/delta-open" in info.value.message


def test_every_row_names_its_provider():
    doc = run_json("compare", "alpha-flash", "gamma/alpha-flash", *W, "--at", "2026-02-10", *CAT)
    rows = {r["model"]: r for r in doc["rows"]}
    assert rows["alpha-flash"]["provider"] == "alpha"
    assert rows["alpha-flash"]["total"] == "0.75"
    assert rows["gamma/alpha-flash"]["provider"] == "gamma"
    assert rows["gamma/alpha-flash"]["total"] == "1.125"
    table = run("compare", "alpha-flash", "gamma/alpha-flash", *W, "--at", "2026-02-10", *CAT)
    assert "gamma/alpha-flash" in table.stdout


# -- service tiers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tier", "total"), [("standard", "1.125"), ("flex", "0.6"), ("priority", "2.25")]
)
def test_a_tier_bills_its_own_rates(catalog, tier, total):
    work = Workload(input=100_000, cached=50_000, output=10_000, requests=10, tier=tier)
    assert cost_at(catalog, "gamma/alpha-flash", work, AT).total == Decimal(total)


def test_flex_keeps_cache_reads_at_the_standard_rate(catalog):
    work = Workload(input=100_000, cached=100_000, output=0, requests=10, tier="flex")
    cost = cost_at(catalog, "gamma/alpha-flash", work, AT)
    assert cost.cache_read == Decimal("0.15")  # 1M x 0.15, not halved
    assert "flex" in cost.applied


def test_tier_flag_and_batch_flag():
    flex = run_json(
        "compare", "gamma/alpha-flash", *W, "--tier", "Flex", "--at", "2026-02-10", *CAT
    )
    assert flex["rows"][0]["total"] == "0.6"
    assert flex["workload"]["tier"] == "flex"
    result = run("compare", "gamma/alpha-flash", *W, "--batch", "--at", "2026-02-10", *CAT)
    assert result.exit_code == 2
    assert "no batch price" in result.stderr and "standard, flex, priority" in result.stderr
    both = run("compare", "gamma/alpha-flash", *W, "--batch", "--tier", "flex", *CAT)
    assert both.exit_code == 2 and "disagree" in both.stderr


def test_a_tier_no_offering_sells_is_never_the_standard_price(catalog):
    work = Workload(input=1000, output=10, tier="ultrafast")
    with pytest.raises(NotPriced, match="no ultrafast price"):
        cost_at(catalog, "alpha-flash", work, AT)


def test_compare_over_every_offering_in_a_tier_leaves_out_those_without_it():
    result = run("compare", *W, "--tier", "flex", "--at", "2026-02-10", *CAT, "-f", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert [r["model"] for r in doc["rows"]] == ["gamma/alpha-flash"]
    assert "no flex price" in result.stderr


def test_prices_shows_a_tier(catalog):
    doc = run_json("prices", "gamma/alpha-flash", "--tier", "flex", "--at", "2026-02-10", *CAT)
    [row] = doc["models"]
    assert (row["input"], row["cache_read"], row["output"]) == ("0.75", "0.15", "1.5")
    assert doc["tier"] == "flex"
    standard = run_json("prices", "gamma/alpha-flash", "--at", "2026-02-10", *CAT)["models"][0]
    assert standard["service_tiers"]["priority"] == {"multiplier": "2"}
    assert standard["service_tiers"]["flex"]["cache_read"] == "0.15"


def test_a_mix_file_and_a_budget_take_a_tier(tmp_path):
    mix = tmp_path / "mix.toml"
    mix.write_text('tier = "flex"\n[workload]\ninput = 100_000\ncached = 50_000\noutput = 10_000'
                   '\n\n[[slices]]\nmodel = "gamma/alpha-flash"\nshare = 100\n')  # fmt: skip
    doc = run_json("simulate", "--mix-file", str(mix), "--requests", "10", "--at", "2026-02-10",
                   *CAT)  # fmt: skip
    assert doc["cost_max"] == "0.6"
    budget = tmp_path / "b.toml"
    budget.write_text(
        'name = "b"\nlimit = 1\n\n[[workloads]]\nmodel = "alpha-flash"\n'
        'requests_per_month = 10\ninput = 1\noutput = 1\ntier = "priority"\n'
    )
    result = run("budget", "validate", str(budget), *CAT)
    assert result.exit_code == 2
    assert "b.toml:5: workloads[0].model: alpha-flash has no priority price" in result.stderr


# -- bill reads each record's tier --------------------------------------------------------------


def record(tier_field: dict, **extra) -> str:
    body = {
        "model": "gamma/alpha-flash",
        "created": 1770681600,  # 2026-02-10 00:00 UTC
        "usage": {"prompt_tokens": 400_000, "completion_tokens": 40_000,
                  "prompt_tokens_details": {"cached_tokens": 0}},
        **tier_field,
        **extra,
    }  # fmt: skip
    return json.dumps(body) + "\n"


def test_bill_prices_each_record_in_its_service_tier(tmp_path):
    log = tmp_path / "log.jsonl"
    log.write_text(
        record({"service_tier": "default"})  # standard: 0.4 x 1.5 + 0.04 x 3 = 0.72
        + record({"service_tier": "flex"})  # 0.4 x 0.75 + 0.04 x 1.5 = 0.36
        + record({"service_tier": "priority"})  # 1.44
        + record({})  # standard: 0.72
    )
    doc = run_json("bill", str(log), *CAT, "--group-by", "model")
    assert doc["priced"] == 4
    assert doc["totals"]["USD"] == "3.24"


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"service_tier": "scale"}, "service_tier: scale is not a service tier"),
        ({"service_tier": "flex", "batch": True}, "batch is true but service_tier is flex"),
        ({"batch": True}, "no batch price"),
    ],
)
def test_bill_rejects_a_tier_it_cannot_price(tmp_path, fields, reason):
    log = tmp_path / "log.jsonl"
    log.write_text(record(fields) + record({}))
    result = run("bill", str(log), *CAT, "--format", "json")
    doc = json.loads(result.stdout)
    assert result.exit_code == 1  # a record left unpriced
    assert doc["priced"] == 1 and doc["rejected"] == 1
    assert reason in doc["rejections"][0]["reason"]


def test_anthropic_usage_service_tier_is_read(tmp_path):
    body = {
        "model": "gamma/alpha-flash",
        "created_at": "2026-02-10T00:00:00Z",
        "usage": {"input_tokens": 400_000, "output_tokens": 40_000, "cache_read_input_tokens": 0,
                  "service_tier": "priority"},
    }  # fmt: skip
    log = tmp_path / "log.jsonl"
    log.write_text(json.dumps(body) + "\n")
    doc = run_json("bill", str(log), *CAT)
    assert doc["totals"]["USD"] == "1.44"


def test_export_has_a_row_set_per_tier():
    out = run("catalog", "export", "-f", "json", *CAT)
    assert out.exit_code == 0, out.stderr
    rows = [r for r in json.loads(out.stdout)["rows"] if r["model"] == "gamma/alpha-flash"]
    assert {r["tier"] for r in rows} == {"standard", "flex", "priority"}
    flex = next(r for r in rows if r["tier"] == "flex")
    assert (flex["input_mtok"], flex["cache_read_mtok"]) == ("0.75", "0.15")
