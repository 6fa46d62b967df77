"""`llmcost simulate` through CliRunner on the fixture catalog: every flag and every error."""

from __future__ import annotations

import json
from decimal import Decimal as D
from fractions import Fraction

import pytest
from typer.testing import CliRunner

from llmcost.cli.app import app
from llmcost.mixfile import load_mix
from llmcost.money import to_decimal

MIX = "alpha-flash=50-70,beta-large=30-50"
WORKLOAD = ["--input", "1000", "--output", "100", "--requests", "1000"]


@pytest.fixture
def sim(fixture_pricing_dir, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.setenv("NO_COLOR", "1")

    def invoke(*args: str):
        runner = CliRunner()
        return runner.invoke(app, ["simulate", *args, "--catalog", str(fixture_pricing_dir)])

    return invoke


def as_json(result) -> dict:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_json_keys_and_values(sim):
    doc = as_json(sim("--mix", MIX, *WORKLOAD, "--at", "2026-01-10", "--format", "json"))
    for key in ("catalog_version", "at", "mix", "cost_min", "cost_max", "baselines"):
        assert key in doc
    assert doc["at"] == "2026-01-10T00:00:00Z" and doc["period"] is None
    assert doc["catalog_version"] == "2026-02-20"
    assert (doc["cost_min"], doc["cost_max"]) == ("5.34", "8.1")
    slice_keys = {"model", "share_min", "share_max", "requests_min", "cost_min", "cost_max"}
    assert slice_keys <= set(doc["mix"][0])
    assert [(m["model"], m["share_min"], m["share_max"]) for m in doc["mix"]] == [
        ("alpha-flash", "50", "70"),
        ("beta-large", "30", "50"),
    ]
    base = {b["model"]: b for b in doc["baselines"]}
    assert set(base) == {"alpha-flash", "beta-large"}
    large = base["beta-large"]
    assert (large["cost"], large["savings_min"], large["savings_max"]) == ("15", "0.46", "0.644")
    assert (large["savings_amount_min"], large["savings_amount_max"]) == ("6.9", "9.66")
    assert doc["split_at_min"] == {"alpha-flash": "70", "beta-large": "30"}
    assert doc["sweep"] is None
    assert isinstance(doc["cost_min"], str)  # money is never a float


def test_table_shows_bars_and_rows(sim):
    result = sim("--mix", MIX, *WORKLOAD, "--at", "2026-01-10")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "█" in out and "(the mix)" in out and "$5.34" in out and "$8.10" in out
    assert "baseline" in out and "46.00%" in out and "64.40%" in out
    assert result.stderr == ""


def test_csv_and_markdown(sim):
    csv = sim("--mix", MIX, *WORKLOAD, "--at", "2026-01-10", "-f", "csv")
    assert csv.exit_code == 0
    lines = csv.stdout.splitlines()
    assert lines[0].startswith("role,model,share,requests_min,requests_max,cost_min,cost_max")
    assert any(line.startswith("mix,(the mix),100,1000,1000,5.34,8.1,") for line in lines)
    md = sim("--mix", MIX, *WORKLOAD, "--at", "2026-01-10", "-f", "markdown")
    assert md.exit_code == 0 and "| Row | Model |" in md.stdout


def test_month_spreads_over_the_period(sim):
    # March 2026: alpha-flash has a Mon-Fri 01:00-04:00 peak at double rates
    doc = as_json(sim("--mix", "alpha-flash=100", *WORKLOAD, "--month", "2026-03", "-f", "json"))
    assert doc["at"] is None
    assert doc["period"] == {"from": "2026-03-01T00:00:00Z", "until": "2026-04-01T00:00:00Z"}
    # 22 weekdays x 3 peak hours of 744 hours: 1.2 x (1 + 66/744)
    assert D(doc["cost_min"]) == to_decimal(Fraction(12, 10) * (1 + Fraction(66, 744)))


def test_catalog_version_and_currency(sim, fixture_pricing_dir):
    cny = as_json(sim("--mix", "alpha-flash=100", *WORKLOAD, "--at", "2026-01-10",
                      "--currency", "cny", "-f", "json"))  # fmt: skip
    assert cny["currency"] == "CNY" and cny["cost_min"] == "8.4"
    missing = sim("--mix", "beta-large=100", *WORKLOAD, "--at", "2026-01-10", "--currency", "CNY")
    assert missing.exit_code == 2 and "no CNY price" in missing.stderr


def test_baselines_flag_and_cached_and_batch(sim):
    doc = as_json(
        sim("--mix", "alpha-flash=100", "--input", "1000", "--cached", "500", "--output", "100",
            "-n", "1000", "--at", "2026-01-10", "--baseline", "beta-large",
            "--baseline", "beta-large-1.0", "-f", "json")
    )  # fmt: skip
    assert [b["model"] for b in doc["baselines"]] == ["alpha-flash", "beta-large"]
    assert doc["cost_min"] == "0.75"  # 0.5 + 0.05 + 0.2
    hit_rate = as_json(sim("--mix", "alpha-flash=100", "--input", "1000", "--cache-hit-rate",
                           "50%", "--output", "100", "-n", "1000", "--at", "2026-01-10",
                           "-f", "json"))  # fmt: skip
    assert hit_rate["cost_min"] == "0.75"
    batch = as_json(sim("--mix", "beta-large=100", *WORKLOAD, "--batch", "--at", "2026-01-10",
                        "-f", "json"))  # fmt: skip
    assert batch["cost_min"] == "7.5"
    writes = as_json(sim("--mix", "beta-large=100", "--input", "1000", "--cache-write", "100",
                         "--cache-write-1h", "100", "--output", "0", "-n", "1000",
                         "--at", "2026-01-10", "-f", "json"))  # fmt: skip
    assert writes["cost_min"] == "11.25"  # 8 + 1.25 + 2


def test_sweep_of_input_keeps_a_hit_rate_that_does_not_divide(sim):
    # 1000 of 3000 prompt tokens are hits; swept to 1000 input: a third are hits, 333.33...
    # alpha-flash 1 / 0.1 / 2: (2000/3 x 1 + 1000/3 x 0.1 + 10 x 2) x 1000 / 1M = 0.72
    doc = as_json(sim("--mix", "alpha-flash=100", "--input", "3000", "--cached", "1000",
                      "--output", "10", "-n", "1000", "--at", "2026-01-10",
                      "--sweep", "input=1000:2000:1000", "-f", "json"))  # fmt: skip
    first = doc["sweep"]["points"][0]
    assert first["value"] == "1000"
    # the hit count is a repeating decimal, kept to 20 places: exact to 1e-20 of a token
    assert abs(D(first["cost_min"]) - D("0.72")) < D("1e-18")


def test_sweep_json_and_table(sim):
    doc = as_json(sim("--mix", MIX, *WORKLOAD, "--at", "2026-01-10", "--sweep",
                      "share:beta-large=20:50:10", "-f", "json"))  # fmt: skip
    points = doc["sweep"]["points"]
    assert doc["sweep"]["param"] == "share" and doc["sweep"]["model"] == "beta-large"
    assert [p["value"] for p in points] == ["20", "30", "40", "50"]
    assert points[0]["cost_min"] is None and "no split" in points[0]["reason"]
    assert points[1]["cost_min"] == points[1]["cost_max"] == "5.34"
    table = sim("--mix", MIX, *WORKLOAD, "--at", "2026-01-10", "--sweep", "output=0:100:50")
    assert table.exit_code == 0 and "Sweep of output" in table.stdout and "█" in table.stdout


def test_save_mix_round_trips(sim, tmp_path):
    path = tmp_path / "saved.toml"
    first = sim("--mix", "alpha-fast=50-70,beta-large-1.0=30-50", *WORKLOAD, "--at", "2026-01-10",
                "--save-mix", str(path), "-f", "json")  # fmt: skip
    assert first.exit_code == 0 and "mix written to" in first.stderr
    spec = load_mix(path)
    assert [s.model for s in spec.slices] == ["alpha-flash", "beta-large"]
    assert spec.requests == 1000 and spec.tokens.input == 1000
    again = sim("--mix-file", str(path), "--at", "2026-01-10", "-f", "json")
    assert json.loads(again.stdout)["cost_max"] == json.loads(first.stdout)["cost_max"]


def test_save_mix_keeps_the_batch_discount(sim, tmp_path):
    path = tmp_path / "batch.toml"
    first = sim("--mix", "beta-large=100", *WORKLOAD, "--batch", "--at", "2026-01-10",
                "--save-mix", str(path), "-f", "json")  # fmt: skip
    assert first.exit_code == 0, first.stderr
    assert load_mix(path).tier == "batch"
    again = sim("--mix-file", str(path), "--at", "2026-01-10", "-f", "json")
    full = sim("--mix", "beta-large=100", *WORKLOAD, "--at", "2026-01-10", "-f", "json")
    batch_cost = json.loads(first.stdout)["cost_max"]
    assert json.loads(again.stdout)["cost_max"] == batch_cost
    assert D(json.loads(full.stdout)["cost_max"]) == 2 * D(batch_cost)  # beta-large: x0.5


def test_mix_file_flags_override_the_file(sim, tmp_path):
    path = tmp_path / "m.toml"
    path.write_text("requests = 10\n[workload]\ninput = 1\noutput = 1\n"
                    "[[slices]]\nmodel = 'alpha-flash'\nshare = 100\n")  # fmt: skip
    doc = as_json(sim("--mix-file", str(path), *WORKLOAD, "--at", "2026-01-10", "-f", "json"))
    assert doc["cost_min"] == "1.2" and doc["requests"] == "1000"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mix", "alpha-flash=60,beta-large=50"], "minimums already sum to 110%"),
        (["--mix", "alpha-flash=10,beta-large=20-30"], "maximums sum to only 40%"),
        (["--mix", "alpha-flash=70-60,beta-large=40"], "minimum is over the maximum"),
        (["--mix", "alpha-flash=-10,beta-large=100"], "share '-10' is negative"),
        (["--mix", "alpha-flash=lots,beta-large=100"], "not a number"),
        (["--mix", "alpha-flash=50,alpha-fast=50"], "in the mix twice"),
        (["--mix", "alpha-flsh=50,beta-large=50"], "did you mean 'alpha-flash'"),
        (["--mix", ""], "the mix is empty"),
        (["--mix", "alpha-flash"], "not model=share"),
        ([], "give one of --mix and --mix-file"),
        (["--mix", MIX, "--mix-file", "x.toml"], "give one of --mix and --mix-file"),
        (["--mix-file", "/nonexistent/mix.toml"], "mix.toml: no such file"),
        (["--mix", MIX, "--sweep", "speed=1:2:1"], "cannot sweep"),
        (["--mix", MIX, "--sweep", "share:alpha-pro=0:10:5"], "not in the mix"),
        (["--mix", MIX, "--month", "2026-13"], "not a month"),
        (["--mix", MIX, "--month", "2026-03", "--at", "2026-01-10"], "exclude each other"),
        (["--mix", MIX, "--baseline", "nope"], "unknown model 'nope'"),
        (["--mix", MIX, "-f", "xml"], "--format"),
        (["--mix", MIX, "--cached", "10", "--cache-hit-rate", "0.5"], "exclude each other"),
        (["--mix", MIX, "--cached", "5000"], "exceed the input"),
        (["--mix", "alpha-old=100"], "retired"),
    ],
)
def test_errors_are_one_line_exit_2(sim, args, message):
    workload = [] if not args or args[0] != "--mix" else ["--input", "1000", "--output", "10"]
    if "--at" not in args and "--month" not in args:
        workload += ["--at", "2026-03-02"]
    result = sim(*args, *workload)
    assert result.exit_code == 2, result.stdout
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("llmcost: error: ")
    assert message in lines[0]
    assert "Traceback" not in result.stderr


def test_missing_workload(sim):
    result = sim("--mix", MIX, "--output", "10", "--at", "2026-01-10")
    assert result.exit_code == 2 and "no input tokens per request" in result.stderr


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("slices = [", "invalid TOML"),
        ("[[slices]]\nmodel = 'alpha-flash'\nshare = 60\n[[slices]]\nmodel = 'beta-large'\n"
         "share = 60\n", "minimums already sum to 120%"),
        ("[[slices]]\nmodel = 'alpha-flash'\nshare = 50\n\n[[slices]]\nmodel = 'alpha-fast'\n"
         "share = 50\n", ":5: slices[1] (alpha-fast): model 'alpha-flash' is in the mix twice"),
        ("[[slices]]\nmodel = 'alpha-flash'\nshare = 100\nspeed = 1\n", ":4: slices[0].speed"),
        ("[[slices]]\nmodel = 'zzz'\nshare = 100\n", ":1: slices[0] (zzz): unknown model"),
        ("slices = []\n", "at least 1 item"),
    ],
)  # fmt: skip
def test_mix_file_errors_name_file_and_line(sim, tmp_path, text, where):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    result = sim("--mix-file", str(path), *WORKLOAD, "--at", "2026-01-10")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and where in lines[0]


def test_help_mentions_every_flag():
    result = CliRunner().invoke(app, ["simulate", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    flags = "--mix --mix-file --baseline --sweep --save-mix --month --at --requests --catalog"
    for flag in (*flags.split(), "--currency", "--format", "--batch", "--cache-hit-rate"):
        assert flag in result.stdout


def test_a_mix_file_asking_batch_of_a_model_without_one_names_the_slice(sim, tmp_path):
    """`batch = true` on a slice whose model has no batch price: the error says which slice
    of which file (it named only the model; a QA find)."""
    path = tmp_path / "mix.toml"
    path.write_text('batch = true\n[workload]\ninput = 1000\noutput = 10\n\n[[slices]]\n'
                    'model = "beta-large"\nshare = 50\n\n[[slices]]\nmodel = "alpha-flash"\n'
                    'share = 50\n')  # fmt: skip
    result = sim("--mix-file", str(path), "--at", "2026-01-10")
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"llmcost: error: {path}:10: slices[1] (alpha-flash): ")
    assert "no batch price" in line
