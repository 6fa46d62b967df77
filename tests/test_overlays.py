"""Your own prices on top: overlays (--pricing, LLMCOST_PRICING, the config folder),
discounts, the config file and the staleness line, on the fixture catalog.

tests/fixtures/overlays/negotiated.toml (published 2026-01-20): alpha-flash at 0.8 / 0.08 /
1.6 from 2026-02-01; 10% off all of alpha from 2026-02-01; 20% off alpha-pro (standard tier)
over February. By hand, 1,000 requests of 1K prompt + 1K output (1M of each):
- alpha-flash 2026-02-10: (0.8 + 1.6) x 0.9 = 2.16 (shipped: 1 + 2 = 3)
- alpha-pro 2026-02-10 (list 2 / 4): the model's 20% wins over the provider's 10%: 4.8
- alpha-pro 2026-03-05: only the provider's 10%: 5.4
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from llmcost.catalog.load import load_catalog
from llmcost.cli.app import app
from llmcost.cli.options import CatalogChoice, reset_settings, warn_if_stale
from llmcost.engine import Workload, cost_at
from llmcost.errors import LlmcostError
from tests.conftest import FIXTURE_PRICING

OVERLAY = Path(__file__).resolve().parent / "fixtures" / "overlays" / "negotiated.toml"
CAT = ["--catalog", str(FIXTURE_PRICING)]
ONE_M = ["--input", "1k", "--output", "1k", "--requests", "1000"]  # 1M of each


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(
        app, list(args), env={"NO_COLOR": "1", "COLUMNS": "200", **(env or {})}
    )


def totals(*args: str, env: dict | None = None) -> dict[str, str]:
    result = run("compare", *args, "-f", "json", env=env)
    assert result.exit_code == 0, result.stderr
    return {r["model"]: r["total"] for r in json.loads(result.stdout)["rows"]}


def test_an_overlay_adds_a_negotiated_price_and_discounts():
    at = ["--at", "2026-02-10"]
    assert totals("alpha-flash", "alpha-pro", *ONE_M, *at, *CAT) == {
        "alpha-flash": "3",
        "alpha-pro": "6",
    }
    over = totals("alpha-flash", "alpha-pro", *ONE_M, *at, *CAT, "--pricing", str(OVERLAY))
    assert over == {"alpha-flash": "2.16", "alpha-pro": "4.8"}
    march = totals("alpha-pro", *ONE_M, "--at", "2026-03-05", *CAT, "--pricing", str(OVERLAY))
    assert march == {"alpha-pro": "5.4"}


def test_the_catalog_day_pins_knowledge_across_layers():
    # as known on 2026-01-15 the overlay (published 2026-01-20) did not exist yet
    pinned = [*ONE_M, "--at", "2026-02-10", "--catalog", f"{FIXTURE_PRICING}@2026-01-15"]
    assert totals("alpha-flash", *pinned, "--pricing", str(OVERLAY)) == {"alpha-flash": "3"}


def test_outputs_say_which_layer_priced_a_row():
    result = run("prices", "alpha-flash", "--at", "2026-02-10", *CAT, "--pricing", str(OVERLAY),
                 "-f", "json")  # fmt: skip
    [row] = json.loads(result.stdout)["models"]
    assert row["layer"] == f"overlay {OVERLAY}"
    assert row["discount"] == "0.1"
    assert row["kind"] == "negotiated" and "10% off" in row["applied"]


def test_a_discount_keeps_to_its_tiers(tmp_path):
    catalog = load_catalog(FIXTURE_PRICING, overlays=[OVERLAY])
    at = datetime(2026, 2, 10, tzinfo=UTC)
    beta = Workload(input=1000, output=1000, requests=1000, tier="batch")
    assert cost_at(catalog, "beta-large", beta, at).total == Decimal(30)  # not alpha's: x0.5 only
    entry = catalog.priced_entry("alpha-pro", at, None, "standard")
    assert entry.discount.off == Decimal("0.2")


def test_the_environment_and_the_config_folder_add_layers_flags_win_ties(tmp_path):
    config = tmp_path / "config"
    (config / "llmcost" / "pricing").mkdir(parents=True)
    (config / "llmcost" / "pricing" / "mine.toml").write_text(OVERLAY.read_text())
    env = {"XDG_CONFIG_HOME": str(config)}
    at = ["--at", "2026-02-10"]
    assert totals("alpha-flash", *ONE_M, *at, *CAT, env=env) == {"alpha-flash": "2.16"}
    # the same day's entry from a higher layer wins the tie: the flag's over the config's
    flag = tmp_path / "flag.toml"
    flag.write_text(
        OVERLAY.read_text()
        .replace("input_mtok = 0.8", "input_mtok = 0.5")
        .split("[[discounts]]")[0]
    )
    assert totals("alpha-flash", *ONE_M, *at, *CAT, "--pricing", str(flag), env=env) == {
        "alpha-flash": "1.89"  # (0.5 + 1.6) x 0.9: the config folder's discount still applies
    }
    via_env = {**env, "LLMCOST_PRICING": str(flag)}
    assert totals("alpha-flash", *ONE_M, *at, *CAT, env=via_env) == {"alpha-flash": "1.89"}


def test_a_missing_overlay_is_an_error():
    result = run("compare", "alpha-flash", *ONE_M, *CAT, "--pricing", "/nowhere/mine.toml")
    assert result.exit_code == 2
    assert "--pricing: no such file or directory '/nowhere/mine.toml'" in result.stderr


def test_a_broken_overlay_names_its_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('provider = "alpha"\n\n[[models]]\nid = "alpha-flash"\nname = "Renamed"\n')
    result = run("compare", "alpha-flash", *ONE_M, *CAT, "--pricing", str(bad))
    assert result.exit_code == 2
    assert str(bad) in result.stderr and "adds prices and aliases only" in result.stderr
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("[[discounts]]\nmodel = 'nope'\noff = 0.1\npublished = 2026-01-01\n"
                       "valid_from = 2026-01-01T00:00:00Z\n")  # fmt: skip
    result = run("compare", "alpha-flash", *ONE_M, *CAT, "--pricing", str(unknown))
    assert result.exit_code == 2 and "unknown model 'nope'" in result.stderr


def test_an_overlay_can_add_a_provider_and_model(tmp_path):
    mine = tmp_path / "mine.toml"
    mine.write_text(
        'provider = "acme"\nname = "Our fine-tunes"\n\n[sources]\nX = { title = "Invoice" }\n\n'
        '[[models]]\nid = "acme-ft-1"\nname = "Fine-tune 1"\nreleased = 2026-01-01T00:00:00Z\n'
        "context_window = 10_000\nmax_output = 1_000\n\n[[models.prices]]\n"
        'published = 2026-01-01\nvalid_from = 2026-01-01T00:00:00Z\nkind = "negotiated"\n'
        'source = ["X"]\nrates.USD = { input_mtok = 3, output_mtok = 6 }\n'
    )
    got = totals("acme-ft-1", "--input", "1k", "--output", "1k", "--requests", "1000",
                 "--at", "2026-02-01", *CAT, "--pricing", str(mine))  # fmt: skip
    assert got == {"acme-ft-1": "9"}


@pytest.fixture(scope="module")
def base_and_layered(tmp_path_factory):
    """The fixture catalog alone and with an empty overlay over it."""
    path = tmp_path_factory.mktemp("empty") / "empty.toml"
    path.write_text("# nothing of my own yet\n")
    return load_catalog(FIXTURE_PRICING), load_catalog(FIXTURE_PRICING, overlays=[path])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    model=st.sampled_from(["alpha-flash", "alpha-pro", "alpha-old", "beta-large"]),
    minutes=st.integers(0, 120 * 24 * 60),
    prompt=st.integers(1, 300_000),
    output=st.integers(0, 50_000),
    tier=st.sampled_from(["standard", "batch"]),
)
def test_an_empty_overlay_changes_nothing(base_and_layered, model, minutes, prompt, output, tier):
    base, layered = base_and_layered
    at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    work = Workload(input=prompt, output=output, cached=prompt // 3, tier=tier)
    outcomes = []
    for catalog in (base, layered):
        try:
            outcomes.append(cost_at(catalog, model, work, at))
        except LlmcostError as exc:
            outcomes.append(exc.one_line())
    assert outcomes[0] == outcomes[1]


# -- the config file ---------------------------------------------------------------------------


def write_config(tmp_path: Path, text: str) -> dict:
    folder = tmp_path / "cfg" / "llmcost"
    folder.mkdir(parents=True)
    (folder / "config.toml").write_text(text)
    return {"XDG_CONFIG_HOME": str(tmp_path / "cfg")}


def test_config_sets_currency_and_tier_flags_and_environment_beat_it(tmp_path):
    env = write_config(tmp_path, 'currency = "CNY"\ntier = "batch"\n')
    args = ["compare", "alpha-flash", *ONE_M, "--at", "2026-02-10", *CAT, "-f", "json"]
    doc = json.loads(run(*args, "--tier", "standard", env=env).stdout)
    assert doc["currency"] == "CNY" and doc["rows"][0]["total"] == "21"  # 7 + 14
    result = run("compare", "beta-large", *ONE_M, "--at", "2026-02-10", *CAT, "-f", "json",
                 env={**env, "LLMCOST_CURRENCY": "USD"})  # fmt: skip
    doc = json.loads(result.stdout)
    assert doc["currency"] == "USD" and doc["workload"]["tier"] == "batch"
    assert doc["rows"][0]["total"] == "30"  # (10 + 50) x 0.5
    flag = run("compare", "beta-large", *ONE_M, "--at", "2026-02-10", *CAT, "--tier", "standard",
               "--currency", "USD", "-f", "json", env=env)  # fmt: skip
    assert json.loads(flag.stdout)["rows"][0]["total"] == "60"


def test_config_time_zone_shows_instants_in_tables_json_stays_utc(tmp_path):
    env = write_config(tmp_path, 'timezone = "Asia/Shanghai"\n')
    args = ["prices", "alpha-pro", "--at", "2026-02-01T04:00Z", *CAT]
    table = run(*args, env=env)
    assert "2026-02-01 12:00 Asia/Shanghai" in table.stdout
    assert "Since (Asia/Shanghai)" in table.stdout
    doc = json.loads(run(*args, "-f", "json", env=env).stdout)
    assert doc["at"] == "2026-02-01T04:00:00Z"


def test_a_bad_config_file_is_one_line_naming_file_and_line(tmp_path):
    env = write_config(tmp_path, 'currency = "USD"\ncolour = "red"\n')
    result = run("compare", "alpha-flash", *ONE_M, *CAT, env=env)
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert "config.toml:2" in line and "colour" in line
    env = write_config(tmp_path / "2", 'timezone = "Mars/Olympus"\n')
    result = run("compare", "alpha-flash", *ONE_M, *CAT, env=env)
    assert result.exit_code == 2 and "'Mars/Olympus' is not a time zone" in result.stderr


# -- staleness ---------------------------------------------------------------------------------


def test_a_catalog_older_than_30_days_says_so_once(capsys):
    reset_settings()
    catalog = load_catalog(FIXTURE_PRICING)  # newest 2026-02-20
    future = datetime(2030, 1, 1, tzinfo=UTC)
    warn_if_stale(CatalogChoice(catalog, None), future)
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    days = (date(2030, 1, 1) - date(2026, 2, 20)).days
    assert f"newest prices are from 2026-02-20, {days} days before 2030-01-01" in err
    assert "llmcost catalog update" in err
    warn_if_stale(CatalogChoice(catalog, date(2026, 2, 20)), future)  # a version was pinned
    warn_if_stale(CatalogChoice(catalog, None, path="x"), future)  # the user's own catalog
    assert capsys.readouterr().err == ""
