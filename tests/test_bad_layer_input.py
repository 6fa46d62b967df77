"""Bad input to the layers above the shipped catalog: overlays (--pricing, LLMCOST_PRICING,
the config folder), the config file and its environment, names and service tiers in `bill`, and
peer files for `catalog import`. Every outcome is a price or exit 2 with one stderr line naming
the file (and line or field where there is one): never exit 3, a traceback or a silent skip.

The fixture catalog prices alpha-flash at 1 / 2 USD per 1M input / output tokens on
2026-02-10, so 1,000 requests of 1K in + 1K out cost 1 + 2 = 3.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmcost.cli.app import app
from tests.conftest import FIXTURE_PRICING

CAT = ["--catalog", str(FIXTURE_PRICING)]
ALPHA_FLASH = ["compare", "alpha-flash", "--input", "1k", "--output", "1k", "--requests", "1000"]
AT = ["--at", "2026-02-10", "-f", "json"]

HEAD = 'provider = "alpha"\n[sources]\nM = { title = "ours" }\n'
PRICE = """[[models]]
id = "alpha-flash"
[[models.prices]]
published = 2026-01-20
valid_from = VALID_FROM
kind = "negotiated"
source = ["M"]
rates.USD = { input_mtok = 0.5, output_mtok = 1 }
EXTRA
"""
DISCOUNT = """[[discounts]]
provider = "alpha"
off = 0.5
published = 2026-01-20
valid_from = 2026-02-01T00:00:00Z
source = ["M"]
EXTRA
"""


def price(valid_from: str = "2026-02-01T00:00:00Z", extra: str = "") -> str:
    return HEAD + PRICE.replace("VALID_FROM", valid_from).replace("EXTRA", extra)


def discount(extra: str) -> str:
    return HEAD + DISCOUNT.replace("EXTRA", extra)


def run(*args: str, env: dict | None = None):
    base = {"NO_COLOR": "1", "COLUMNS": "200", "LLMCOST_NO_CACHE": "1"}
    return CliRunner().invoke(app, list(args), env={**base, **(env or {})})


def one_error(result, *parts: str) -> str:
    """The one stderr line of an exit 2, which names each of `parts`."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("llmcost: error: "), result.stderr
    for part in parts:
        assert part in lines[0], (part, lines[0])
    return lines[0]


def total(result) -> str:
    assert result.exit_code == 0, result.stderr
    (row,) = json.loads(result.stdout)["rows"]
    return row["total"]


def overlay(tmp_path: Path, text: str | bytes, name: str = "ours.toml") -> Path:
    file = tmp_path / name
    if isinstance(text, bytes):
        file.write_bytes(text)
    else:
        file.write_text(text, encoding="utf-8")
    return file


def priced_with(file: Path, *extra: str):
    return run(*ALPHA_FLASH, *AT, *CAT, "--pricing", str(file), *extra)


# -- overlays: what tomllib and datetime cannot hold ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("a = " + "[" * 3000 + "]" * 3000 + "\n", "nested too deeply"),
        ("a = " + "9" * 5000 + "\n", "a number too long to read"),
    ],
    ids=["deeply-nested", "5000-digit-integer"],
)
def test_toml_past_tomllibs_limits_is_an_input_error(tmp_path, text, said):
    file = overlay(tmp_path, text)
    one_error(priced_with(file), str(file), said)


@pytest.mark.parametrize(
    "instant", ["9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+05:00"], ids=["9999", "0001"]
)
def test_an_instant_outside_the_years_in_utc_is_an_input_error(tmp_path, instant):
    file = overlay(tmp_path, price(valid_from=instant))
    one_error(priced_with(file), f"{file}:8", "prices[0].valid_from", "years 1 to 9999")


# -- overlays: tiers that would silently name nothing ----------------------------------------


@pytest.mark.parametrize("word", ["default", "auto", "on_demand", "on-demand"])
def test_a_variant_named_like_the_standard_tier_is_refused(tmp_path, word):
    """`--tier default` means standard, so a variant named `default` could never be priced."""
    file = overlay(tmp_path, price(extra=f"variants.{word} = {{ multiplier = 0.5 }}"))
    one_error(priced_with(file), str(file), f"variants: {word!r} is the standard tier")


@pytest.mark.parametrize("tier", ["STANDARD", "", "default", "Batch", "a b"])
def test_a_discount_tier_the_catalog_does_not_spell_is_refused(tmp_path, tier):
    """Discount tiers were never matched against these spellings: the discount took nothing
    off, silently (a 50% discount left the price at 3)."""
    file = overlay(tmp_path, discount(f"tiers = [{json.dumps(tier)}]"))
    one_error(priced_with(file), f"{file}:4", "discounts[0]: tiers:", repr(tier))


def test_a_discount_on_a_tier_no_offering_has_is_refused(tmp_path):
    file = overlay(tmp_path, discount('tiers = ["flex"]'))
    one_error(priced_with(file), str(file), "discounts[0]", "no offering it names has a 'flex'")


def test_a_discount_on_a_tier_its_offerings_have_applies(tmp_path):
    """(1 + 2) x 0.5 = 1.5 in the standard tier."""
    file = overlay(tmp_path, discount('tiers = ["standard"]'))
    assert total(priced_with(file)) == "1.5"


# -- overlay paths ----------------------------------------------------------------------------


def test_an_empty_pricing_flag_is_not_the_current_directory(tmp_path, monkeypatch):
    """`--pricing ""` was Path(""): every *.toml under the working directory, read as prices."""
    overlay(tmp_path, "not = [ toml", name="stray.toml")
    monkeypatch.chdir(tmp_path)
    one_error(run(*ALPHA_FLASH, *AT, *CAT, "--pricing", ""), "--pricing: an empty path")


def test_an_overlay_that_is_a_link_loop_says_so(tmp_path):
    loop = tmp_path / "loop.toml"
    os.symlink(loop, loop)
    one_error(priced_with(loop), str(loop), "symbolic link loop")


# -- the config file and folder ---------------------------------------------------------------


def config_home(tmp_path: Path) -> tuple[Path, dict]:
    folder = tmp_path / "cfg" / "llmcost"
    folder.mkdir(parents=True)
    return folder, {"XDG_CONFIG_HOME": str(tmp_path / "cfg")}


@pytest.mark.parametrize("name", ["config.toml", "pricing"])
def test_a_config_link_loop_is_not_silently_no_settings(tmp_path, name):
    folder, env = config_home(tmp_path)
    os.symlink(folder / name, folder / name)
    one_error(run(*ALPHA_FLASH, *AT, *CAT, env=env), str(folder / name), "symbolic link loop")


def test_a_config_link_to_nothing_is_not_silently_no_settings(tmp_path):
    folder, env = config_home(tmp_path)
    os.symlink(tmp_path / "gone.toml", folder / "config.toml")
    one_error(run(*ALPHA_FLASH, *AT, *CAT, env=env), str(folder / "config.toml"), "no such file")


def test_a_pricing_file_where_the_folder_belongs_is_read(tmp_path):
    """`pricing` as a file, not a folder, was skipped silently: now it is an overlay."""
    folder, env = config_home(tmp_path)
    (folder / "pricing").write_text(discount(""), encoding="utf-8")
    assert total(run(*ALPHA_FLASH, *AT, *CAT, env=env)) == "1.5"


@pytest.mark.parametrize("entry", ["", " "])
def test_an_empty_pricing_entry_is_not_the_config_folder(tmp_path, entry):
    """`pricing = [""]` was the config folder itself: config.toml read as a price file."""
    folder, env = config_home(tmp_path)
    (folder / "config.toml").write_text(f"pricing = [{json.dumps(entry)}]\n", encoding="utf-8")
    one_error(run(*ALPHA_FLASH, *AT, *CAT, env=env), f"{folder / 'config.toml'}:1", "pricing[0]")


def test_a_bad_time_zone_is_said_once_and_where_it_came_from(tmp_path):
    folder, env = config_home(tmp_path)
    (folder / "config.toml").write_text('timezone = "UTC+2"\n', encoding="utf-8")
    line = one_error(run(*ALPHA_FLASH, *AT, *CAT, env=env), str(folder / "config.toml"))
    assert line.count("timezone") == 1, line
    from_env = one_error(run(*ALPHA_FLASH, *AT, *CAT, env={"LLMCOST_TIMEZONE": "UTC+2"}))
    assert from_env.startswith("llmcost: error: LLMCOST_TIMEZONE: 'UTC+2' is not"), from_env


# -- names: `bill` finds the model `Catalog.resolve` finds ---------------------------------------

HOSTS = Path(__file__).resolve().parent / "fixtures" / "hosts"


@pytest.fixture(scope="module")
def hosted():
    from llmcost.catalog.load import load_catalog

    return load_catalog(FIXTURE_PRICING, overlays=[HOSTS])


def _names_strategy():
    from hypothesis import strategies as st

    from llmcost.catalog.load import load_catalog
    from llmcost.catalog.lookup import names_of

    catalog = load_catalog(FIXTURE_PRICING, overlays=[HOSTS])
    bases = sorted({n for info in catalog.models() for n in names_of(info)} | {"zeta-9"})
    providers = sorted({n for n, _ in catalog.provider_spellings()})
    heads = [*providers, "Gamma AI", "GAMMA_ai", "GAMMA_Aİ", "models", "x", "", " ", "a.b"]

    @st.composite
    def respelt(draw, text: str) -> str:
        out = []
        for char in text:
            if char == "-":
                char = draw(st.sampled_from("-._ "))
            elif char.isalpha() and draw(st.booleans()):
                char = char.upper()
            out.append(char)
        return "".join(out)

    @st.composite
    def spelling(draw) -> str:
        prefix = draw(st.lists(st.sampled_from(heads), max_size=4))
        parts = [draw(respelt(p)) for p in (*prefix, draw(st.sampled_from(bases)))]
        slash = draw(st.sampled_from(["/", " / ", "/\u00a0", "\t/"]))
        padding = draw(st.sampled_from(["", " ", "\u3000"]))
        return padding + slash.join(parts) + padding

    return spelling()


NAMES = _names_strategy()


def _resolved(catalog, name: str) -> str | None:
    return _resolution(catalog, name)[0]


def _resolution(catalog, name: str) -> tuple[str | None, str]:
    """The offering's key `resolve` finds, or None and its error's message."""
    from llmcost.errors import LlmcostError

    try:
        return catalog.resolve(name).key, ""
    except LlmcostError as exc:
        return None, exc.message


def test_bills_sql_finds_the_offering_resolve_finds(hosted):
    """The SQL both readers share (`query.model_numbers_sql`), against `Catalog.resolve`, for
    names with up to four prefixes: `resolve` passed over any number of unknown ones (and
    empty ones: `x//alpha-flash`), the SQL at most two (and never an empty one)."""
    import duckdb
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from llmcost.usage.pricegrid import price_grid
    from llmcost.usage.query import load_grid, model_numbers_sql

    grid = price_grid(hosted, None, "USD")
    keys = [info.key for info in hosted.models()]
    con = duckdb.connect()
    load_grid(con, grid)

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(NAMES, min_size=1, max_size=20, unique=True))
    def check(names):
        found = dict(con.execute(model_numbers_sql(grid, names)).fetchall())
        for name in names:
            number = found[name]
            assert (keys[number] if number is not None else None) == _resolved(hosted, name), name

    check()


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("x/y/alpha-flash", "alpha-flash"),
        ("x/y/z/alpha-flash", None),
        ("a/b/c/d/e/alpha-flash", None),
        ("x/gamma/alpha-flash", "gamma/alpha-flash"),
        ("x/y/Gamma AI/alpha.flash", "gamma/alpha-flash"),
        ("/alpha-flash", None),
        ("x//alpha-flash", None),
        ("gamma/ /alpha-flash", None),
        ("gamma / alpha_flash", "gamma/alpha-flash"),
        ("GAMMA_Aİ/alpha-flash", "alpha-flash"),  # İ lowers to i + a dot: no provider
    ],
)
def test_resolve_passes_over_two_unknown_prefixes_never_an_empty_one(hosted, name, key):
    """And bill's SQL finds the same offering (DuckDB lowered İ to a plain i: gamma's)."""
    import duckdb

    from llmcost.usage.pricegrid import price_grid
    from llmcost.usage.query import load_grid, model_numbers_sql

    assert _resolved(hosted, name) == key
    grid = price_grid(hosted, None, "USD")
    con = duckdb.connect()
    load_grid(con, grid)
    ((_, number),) = con.execute(model_numbers_sql(grid, [name])).fetchall()
    assert (hosted.models()[number].key if number is not None else None) == key


def _bill_by_user(files: list[Path], *, pure: bool) -> dict[str, str]:
    """Each file's record (user `u<i>`): its offering's key when priced, else the reason."""
    env = {"LLMCOST_PURE": "1"} if pure else {}
    args = ["bill", *map(str, files), *CAT, "--pricing", str(HOSTS), "--allow-rejects"]
    result = run(*args, "--group-by", "user,provider,model", "-f", "json", env=env)
    assert result.exit_code in (0, 1), result.stderr
    out = json.loads(result.stdout)
    found = {g["user"]: f"{g['provider']}/{g['model']}" for g in out["groups"]}
    for rejection in out["rejections"]:
        found[Path(rejection["file"]).stem] = "rejected: " + rejection["reason"]
    return found


def _one_record_each(tmp_path: Path, records: list[dict]) -> list[Path]:
    """A file per record (the compiled scanner gives up on a whole file at a rejection)."""
    files = []
    for index, record in enumerate(records):
        file = tmp_path / f"u{index}.jsonl"
        file.write_text(json.dumps({**record, "user": f"u{index}"}) + "\n", encoding="utf-8")
        files.append(file)
    return files


def test_both_readers_bill_the_model_resolve_finds(hosted, tmp_path_factory):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(NAMES, min_size=1, max_size=8, unique=True))
    def check(names):
        # before alpha-old retires (2026-02-01); the last record is priced, so exit 0 or 1
        at = {"timestamp": "2026-01-20T00:00:00Z", "input": 1000, "output": 10}
        records = [{"model": name, **at} for name in [*names, "alpha-flash"]]
        files = _one_record_each(tmp_path_factory.mktemp("names"), records)
        scanned, pure = _bill_by_user(files, pure=False), _bill_by_user(files, pure=True)
        assert scanned == pure
        for index, name in enumerate(names):
            key, message = _resolution(hosted, name)
            billed = scanned[f"u{index}"]
            if key is None:
                said = " ".join(billed.split())  # a reason is one line, its spaces collapsed
                assert said.startswith(" ".join(f"rejected: {message}".split())), (name, billed)
            else:
                assert billed == f"{hosted.info(key).provider}/{hosted.info(key).id}", name

    check()


# -- service tiers in `bill`: every kind of value, both readers ---------------------------------

# gamma/alpha-flash on 2026-02-10, 100K prompt + 10K output: standard 0.15 + 0.03 = 0.18;
# flex 0.075 + 0.015 = 0.09; priority (x2) 0.36. gamma sells no batch.
TIERED = [
    (None, "0.18"),
    ("default", "0.18"),
    (" Auto ", "0.18"),
    ("Standard", "0.18"),
    ("on_demand", "0.18"),
    ("Flex", "0.09"),
    (" flex ", "0.09"),
    ("flex\t", "0.09"),  # stripped as --tier is: was rejected
    ("\u00a0FLEX\u3000", "0.09"),
    ("priority", "0.36"),
    ("", "rejected"),
    (" ", "rejected"),
    (1, "rejected"),
    (True, "rejected"),
    ([], "rejected"),
    ({}, "rejected"),
    ("unknown", "rejected"),
    ("batch", "rejected"),
    ("ﬂex", "rejected"),
]


def test_both_readers_price_every_service_tier_value_alike(tmp_path):
    at = {"model": "gamma/alpha-flash", "timestamp": "2026-02-10T00:00:00Z"}
    records = [{**at, "input": 100_000, "output": 10_000, "service_tier": v} for v, _ in TIERED]
    files = _one_record_each(tmp_path, records)
    for pure in (False, True):
        env = {"LLMCOST_PURE": "1"} if pure else {}
        args = ["bill", *map(str, files), *CAT, "--pricing", str(HOSTS), "--allow-rejects"]
        result = run(*args, "--group-by", "user", "-f", "json", env=env)
        out = json.loads(result.stdout)
        totals = {g["user"]: g["total"] for g in out["groups"]}
        for index, (value, want) in enumerate(TIERED):
            assert totals.get(f"u{index}", "rejected") == want, (pure, value)


# -- catalog import on hostile peer files -----------------------------------------------------

PEERS = Path(__file__).resolve().parent / "fixtures" / "peers"


def imported(tmp_path: Path, fmt: str, text: str):
    file = tmp_path / "peer.json"
    file.write_text(text, encoding="utf-8")
    return file, run("catalog", "import", fmt, str(file), "-o", str(tmp_path / "out"))


@pytest.mark.parametrize("fmt", ["litellm", "genai-prices"])
@pytest.mark.parametrize("opener", ["[", '{"a": '])
def test_a_peer_file_nested_past_pythons_limit_is_an_input_error(tmp_path, fmt, opener):
    closer = "]" if opener == "[" else "}"
    file, result = imported(tmp_path, fmt, opener * 50_000 + "1" + closer * 50_000)
    one_error(result, file.name, "nested too deeply")


def test_a_litellm_rate_past_decimals_range_is_listed_not_a_crash(tmp_path):
    """1e999999 per token times 1e6 overflowed the decimal context (exit 3)."""
    text = (PEERS / "litellm-handmade.json").read_text(encoding="utf-8")
    text = text.replace('"input_cost_per_token": 1.1e-06', '"input_cost_per_token": 1e999999', 1)
    _, result = imported(tmp_path, "litellm", text)
    assert result.exit_code == 0, result.stderr
    unmapped = (tmp_path / "out" / "UNMAPPED.txt").read_text(encoding="utf-8")
    assert "gpt-x\tinput_cost_per_token = 1E+999999 per token is over 1000000" in unmapped


@pytest.mark.parametrize("price", ["1e999999", "1e7"])
def test_a_genai_price_past_the_catalogs_most_is_listed(tmp_path, price):
    """1e999999 became an int of a million digits (a hang); 1e7 failed the whole import at
    validation. Both are now one offering not mapped, said why."""
    text = (PEERS / "genai-prices-mini.json").read_text(encoding="utf-8")
    assert '"input_mtok": 2,' in text
    _, result = imported(
        tmp_path, "genai-prices", text.replace('"input_mtok": 2,', f'"input_mtok": {price},', 1)
    )
    assert result.exit_code == 0, result.stderr
    unmapped = (tmp_path / "out" / "UNMAPPED.txt").read_text(encoding="utf-8")
    assert "openai:gpt-x\tprice: " in unmapped and "is over 1000000" in unmapped


@pytest.mark.parametrize(
    ("text", "taken"),
    [
        ('provider = "alpha"\naliases = ["beta"]\n', "beta"),
        ('provider = "gamma"\naliases = ["Alpha"]\n', "Alpha"),
    ],
)
def test_a_provider_alias_naming_another_provider_is_refused(tmp_path, text, taken):
    """The alias was dropped silently (the first meaning of a spelling won)."""
    file = overlay(tmp_path, text)
    args = ["--pricing", str(HOSTS), "--pricing", str(file)]
    one_error(run(*ALPHA_FLASH, *AT, *CAT, *args), str(file), f"aliases: {taken!r} already names")


@pytest.mark.parametrize(
    ("openai", "anthropic", "want"),
    [
        ("default", "priority", "rejected"),  # was priced standard: 0.18
        ("flex", "priority", "rejected"),  # was priced flex: 0.09
        ("", "flex", "rejected"),
        ("flex", " FLEX", "0.09"),
        ("auto", "standard", "0.18"),
        (None, "priority", "0.36"),
    ],
)
def test_two_tier_fields_that_disagree_reject_the_record(tmp_path, openai, anthropic, want):
    """`service_tier` and `usage.service_tier` naming different tiers: neither wins silently."""
    usage = {"input_tokens": 100_000, "output_tokens": 10_000, "service_tier": anthropic}
    record = {"model": "gamma/alpha-flash", "timestamp": "2026-02-10T00:00:00Z", "usage": usage}
    if openai is not None:
        record["service_tier"] = openai
    files = _one_record_each(tmp_path, [record, {**record, "service_tier": None, "usage": {
        "input_tokens": 1, "output_tokens": 1}}])  # fmt: skip
    for pure in (False, True):
        found = _bill_totals(files, pure=pure)
        assert found.get("u0", "rejected") == want, pure
        if want == "rejected":
            assert "which tier was billed is unclear" in found["reasons"]["u0"]


def _bill_totals(files: list[Path], *, pure: bool) -> dict:
    env = {"LLMCOST_PURE": "1"} if pure else {}
    args = ["bill", *map(str, files), *CAT, "--pricing", str(HOSTS), "--allow-rejects"]
    result = run(*args, "--group-by", "user", "-f", "json", env=env)
    assert result.exit_code in (0, 1), result.stderr
    out = json.loads(result.stdout)
    found: dict = {g["user"]: g["total"] for g in out["groups"]}
    found["reasons"] = {Path(r["file"]).stem: r["reason"] for r in out["rejections"]}
    return found


# -- the staleness line ---------------------------------------------------------------------


def test_an_overlay_written_today_does_not_hide_a_stale_catalog(tmp_path, capsys):
    """The newest day was taken over every layer: an overlay's price published 2029-12-20
    silenced the line for a catalog whose newest public price is from 2026-02-20."""
    from datetime import UTC, date, datetime

    from llmcost.catalog.load import load_catalog
    from llmcost.cli.options import CatalogChoice, reset_settings, warn_if_stale

    reset_settings()
    text = price().replace("published = 2026-01-20", "published = 2029-12-20")
    catalog = load_catalog(FIXTURE_PRICING, overlays=[overlay(tmp_path, text)])
    assert catalog.newest == date(2029, 12, 20)
    warn_if_stale(CatalogChoice(catalog, None), datetime(2030, 1, 1, tzinfo=UTC))
    days = (date(2030, 1, 1) - date(2026, 2, 20)).days
    assert (
        f"newest prices are from 2026-02-20, {days} days before 2030-01-01"
        in capsys.readouterr().err
    )


def test_an_overlay_cannot_take_over_another_providers_offering(tmp_path):
    """`provider = "beta"` with the bare id `alpha-flash` extended alpha's offering and made
    it beta's: `alpha/alpha-flash` became unknown ("alpha-flash belongs to beta")."""
    file = overlay(tmp_path, price().replace('provider = "alpha"', 'provider = "beta"'))
    one_error(priced_with(file), str(file), "id: 'alpha-flash' is alpha's offering", "not beta's")


def test_a_discount_on_an_unknown_offering_names_its_file(tmp_path):
    """The error came from building the catalog: 'unknown model ...' with no file."""
    file = overlay(
        tmp_path, discount("").replace('provider = "alpha"\noff', 'offering = "alpha/zeta-1"\noff')
    )
    one_error(priced_with(file), f"{file}: discounts[0]: offering: unknown model 'alpha/zeta-1'")


@pytest.mark.parametrize("value", [" ", "US D", "dollars"])
def test_an_odd_currency_in_the_environment_is_named_as_such(value):
    """It was worded as the --currency flag the user never gave."""
    result = run(*ALPHA_FLASH, *AT, *CAT, env={"LLMCOST_CURRENCY": value})
    one_error(result, f"LLMCOST_CURRENCY: {value!r} is not a currency code")


def test_a_lower_case_currency_in_the_environment_is_that_currency():
    """alpha-flash in CNY: 7 + 14 = 21 for 1M of each."""
    assert total(run(*ALPHA_FLASH, *AT, *CAT, env={"LLMCOST_CURRENCY": "cny"})) == "21"


@pytest.mark.parametrize("value", [" ", "a b", "wärp"])
def test_an_odd_tier_in_the_environment_is_named_as_such(value):
    result = run(*ALPHA_FLASH, *AT, *CAT, env={"LLMCOST_TIER": value})
    one_error(result, f"LLMCOST_TIER: {value!r} is not a service tier name")


def test_a_price_file_with_an_upper_case_suffix_is_read(tmp_path):
    """`ours.TOML` in an overlay folder was skipped: its 50% discount silently not given."""
    folder = tmp_path / "prices"
    folder.mkdir()
    overlay(folder, discount(""), name="ours.TOML")
    assert total(run(*ALPHA_FLASH, *AT, *CAT, "--pricing", str(folder))) == "1.5"


def test_an_overlay_under_a_user_who_does_not_exist_is_an_input_error(tmp_path):
    """`~nobody-here/x.toml`: pathlib's RuntimeError was exit 3, from all three places."""
    path = "~llmcost-no-such-user/x.toml"
    folder, env = config_home(tmp_path)
    (folder / "config.toml").write_text(f"pricing = [{json.dumps(path)}]\n", encoding="utf-8")
    one_error(run(*ALPHA_FLASH, *AT, *CAT, env=env), "config.toml: pricing", "no such user")
    one_error(run(*ALPHA_FLASH, *AT, *CAT, env={"LLMCOST_PRICING": path}), "LLMCOST_PRICING")
    one_error(run(*ALPHA_FLASH, *AT, *CAT, "--pricing", path), "--pricing", "no such user")
