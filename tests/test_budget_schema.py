"""`llmcost budget schema` in standard JSON Schema: a real validator (jsonschema) refuses the
same files `budget validate` refuses for their shape, and accepts the good ones."""

from __future__ import annotations

import datetime
import json
import tomllib
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from llmcost.cli.app import app
from tests.conftest import FIXTURE_PRICING

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "examples" / "budgets"
FIXTURES = HERE / "fixtures" / "budgets"
CAT = ["--catalog", str(FIXTURE_PRICING)]

GOOD = """name = "b"
limit = 5

[[workloads]]
model = "alpha-flash"
requests_per_month = 1000
input = 2000
cached = 1000
output = 500
"""
MIX = """name = "b"
limit = 5

[[workloads]]
requests_per_month = 1000
input = 2000
output = 500

[[workloads.slices]]
model = "alpha-flash"
share = "60-70"

[[workloads.slices]]
model = "beta-large"
share_min = 30
share_max = 40
"""

# Each a file `budget validate` refuses for its shape alone: (what, the text).
BAD = [
    ("limit not positive", GOOD.replace("limit = 5", "limit = 0")),
    ("limit quoted", GOOD.replace("limit = 5", 'limit = "5"')),
    ("warn_at over 1", GOOD.replace("limit = 5", "limit = 5\nwarn_at = 1.5")),
    ("currency lower case", GOOD.replace("limit = 5", 'limit = 5\ncurrency = "usd"')),
    ("period unknown", GOOD.replace("limit = 5", 'limit = 5\nperiod = "week"')),
    ("negative count", GOOD.replace("input = 2000", "input = -1")),
    ("count over 10^15", GOOD.replace("input = 2000", "input = 10_000_000_000_000_000")),
    ("quoted count", GOOD.replace("input = 2000", 'input = "2000"')),
    ("hit rate over 1", GOOD.replace("cached = 1000", "cache_hit_rate = 1.2")),
    ("cached and hit rate", GOOD.replace("cached = 1000", "cached = 1\ncache_hit_rate = 0.5")),
    ("unknown key", GOOD + "outptu = 3\n"),
    ("no model", GOOD.replace('model = "alpha-flash"\n', "")),
    ("model and mix_file", GOOD.replace("model =", 'mix_file = "m.toml"\nmodel =')),
    ("no requests", GOOD.replace("requests_per_month = 1000\n", "")),
    (
        "both requests",
        GOOD.replace("requests_per_month", "requests_per_day = 1\nrequests_per_month"),
    ),
    ("day budget per month", GOOD.replace("limit = 5", 'limit = 5\nperiod = "day"')),
    ("no workloads", 'name = "b"\nlimit = 5\n'),
    ("empty name", GOOD.replace('name = "b"', 'name = ""')),
    ("batch as text", GOOD.replace("output = 500", 'output = 500\nbatch = "yes"')),
    ("share over 100", MIX.replace('share = "60-70"', "share = 160")),
    ("share not a range", MIX.replace('share = "60-70"', 'share = "lots"')),
    ("share and share_min", MIX.replace('share = "60-70"', "share = 60\nshare_min = 50")),
    ("share_min alone", MIX.replace("share_max = 40\n", "")),
]


@pytest.fixture(scope="module")
def validator():
    result = CliRunner().invoke(app, ["budget", "schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def as_json(text: str):
    """The TOML as an editor's TOML language server hands it to a JSON Schema validator."""

    def plain(value):
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        if isinstance(value, datetime.date):
            return value.isoformat()
        return value

    return plain(tomllib.loads(text))


def test_the_schema_uses_standard_keywords_only():
    text = CliRunner().invoke(app, ["budget", "schema"]).stdout
    for pydantic_only in ('"ge"', '"le"', '"gt"', '"decimal_places"', '"allow_inf_nan"'):
        assert pydantic_only not in text


def test_every_field_has_a_description(validator):
    schema = validator.schema
    tables = [schema, *schema["$defs"].values()]
    for table in tables:
        for name, field in table["properties"].items():
            assert field.get("description"), name


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.toml")), ids=lambda p: p.name)
def test_the_example_budgets_are_valid(validator, path):
    assert list(validator.iter_errors(as_json(path.read_text()))) == []


@pytest.mark.parametrize("text", [GOOD, MIX], ids=["model", "mix"])
def test_good_files_pass_both(validator, tmp_path, text):
    (tmp_path / "b.toml").write_text(text)
    result = CliRunner().invoke(app, ["budget", "validate", str(tmp_path / "b.toml"), *CAT])
    assert result.exit_code == 0, result.stderr
    assert list(validator.iter_errors(as_json(text))) == []


@pytest.mark.parametrize(("what", "text"), BAD, ids=[what for what, _ in BAD])
def test_a_file_budget_validate_refuses_the_schema_refuses(validator, tmp_path, what, text):
    (tmp_path / "b.toml").write_text(text)
    result = CliRunner().invoke(app, ["budget", "validate", str(tmp_path / "b.toml"), *CAT])
    assert result.exit_code == 2, what
    assert list(validator.iter_errors(as_json(text))), what


@pytest.mark.parametrize("name", ["negative-limit.toml", "unknown-key.toml"])
def test_the_bad_fixture_budgets_are_refused_by_the_schema(validator, name):
    assert list(validator.iter_errors(as_json((FIXTURES / name).read_text())))
