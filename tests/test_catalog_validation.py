"""Loading and validating catalogs, name resolution and catalog versions.

Every broken catalog is a copy of the fixture (tests/fixtures/pricing) written to `tmp_path`
with one edit, so each test shows the one rule it breaks. The error must name the file, the
model and the field, because a person editing a price sheet needs to know where to look.
"""

from __future__ import annotations

import shutil
import tomllib
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from llmcost.catalog.load import load_catalog
from llmcost.errors import CatalogError, InputError, UnknownModel

FIXTURE_PRICING = Path(__file__).resolve().parent / "fixtures" / "pricing"  # as in conftest.py
Edit = Callable[[dict[str, Any]], None]


def copy_fixture(tmp_path: Path) -> Path:
    target = tmp_path / "pricing"
    shutil.copytree(FIXTURE_PRICING, target)
    return target


def edit_file(root: Path, name: str, edit: Edit) -> Path:
    path = root / name
    with path.open("rb") as handle:
        data = tomllib.load(handle, parse_float=Decimal)
    edit(data)
    path.write_text(tomli_w.dumps(data))
    return path


def broken(tmp_path: Path, name: str, edit: Edit) -> CatalogError:
    """Load the fixture with `edit` applied to `name`; return the CatalogError it raises."""
    root = copy_fixture(tmp_path)
    edit_file(root, name, edit)
    with pytest.raises(CatalogError) as info:
        load_catalog(root)
    return info.value


def model(data: dict[str, Any], model_id: str) -> dict[str, Any]:
    return next(m for m in data["models"] if m["id"] == model_id)


def assert_names(error: CatalogError, file: str, model_id: str, field: str) -> None:
    line = error.one_line()
    assert "\n" not in line
    assert file in line, line
    assert repr(model_id) in line, line
    assert field in line, line


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# -- the fixture itself --------------------------------------------------------------------------


def test_fixture_catalog_loads_with_every_model(fixture_catalog):
    assert sorted(m.id for m in fixture_catalog.models()) == [
        "alpha-flash",
        "alpha-old",
        "alpha-pro",
        "beta-large",
    ]
    assert {m.id: m.provider for m in fixture_catalog.models()}["beta-large"] == "beta"
    # every published day is a version, oldest first
    assert fixture_catalog.versions == (
        date(2025, 6, 1),
        date(2026, 1, 1),
        date(2026, 1, 10),
        date(2026, 1, 25),
        date(2026, 2, 20),
    )
    assert fixture_catalog.newest == date(2026, 2, 20)


def test_rates_are_exact_decimals_after_load(fixture_catalog):
    rates = []
    for info in fixture_catalog.models():
        for entry in info.model.prices:
            sets = list(entry.rates.values())
            sets += [r for tier in entry.tiers for r in tier.rates.values()]
            sets += [r for window in entry.windows for r in window.rates.values()]
            for rate_set in sets:
                for name in ("input_mtok", "output_mtok", "cache_read_mtok", "cache_write_mtok"):
                    value = getattr(rate_set, name)
                    if value is not None:
                        rates.append(value)
            rates += [v.multiplier for v in entry.variants.values() if v.multiplier is not None]
    assert rates
    assert all(type(value) is Decimal for value in rates)  # TOML ints too, never float
    flash = fixture_catalog.info("alpha-flash").model.prices[0].rates["USD"]
    assert flash.cache_read_mtok == Decimal("0.1")  # exactly, not 0.1000000000000000055...
    assert str(flash.cache_read_mtok) == "0.1"
    beta = fixture_catalog.info("beta-large").model.prices[0]
    assert beta.variants["batch"].multiplier == Decimal("0.5")
    assert beta.rates["USD"].cache_write_mtok == Decimal("12.5")


def test_a_cached_load_gives_the_same_catalog_and_an_edit_revalidates(tmp_path):
    root = copy_fixture(tmp_path)
    first = load_catalog(root)
    second = load_catalog(root)  # from the validated-catalog cache, if there is one
    assert [m.model for m in first.models()] == [m.model for m in second.models()]
    rate = second.info("alpha-flash").model.prices[0].rates["USD"].cache_read_mtok
    assert type(rate) is Decimal
    # the same paths with a broken content must not come back from the cache
    edit_file(
        root,
        "alpha.toml",
        lambda d: model(d, "alpha-pro")["prices"][0]["rates"]["USD"].update(input_mtok=-4),
    )
    with pytest.raises(CatalogError):
        load_catalog(root)


def test_one_file_loads_as_a_catalog():
    catalog = load_catalog(FIXTURE_PRICING / "beta.toml")
    assert [m.id for m in catalog.models()] == ["beta-large"]


def test_missing_path_or_empty_directory_is_input_error(tmp_path):
    with pytest.raises(InputError):
        load_catalog(tmp_path / "nowhere")
    with pytest.raises(InputError):
        load_catalog(tmp_path)  # a directory without *.toml


# -- schema rules ------------------------------------------------------------------------------


def test_unknown_key_in_an_entry(tmp_path):
    err = broken(
        tmp_path, "alpha.toml", lambda d: model(d, "alpha-pro")["prices"][1].update(colour="red")
    )
    assert_names(err, "alpha.toml", "alpha-pro", "prices[1].colour")
    assert "unknown key" in err.one_line()


def test_misspelt_optional_rate_is_an_unknown_key_not_a_missing_rate(tmp_path):
    def edit(d):
        model(d, "beta-large")["prices"][0]["rates"]["USD"]["cache_reed_mtok"] = Decimal(1)

    err = broken(tmp_path, "beta.toml", edit)
    assert_names(err, "beta.toml", "beta-large", "prices[0].rates.USD.cache_reed_mtok")
    assert "unknown key" in err.one_line()


def test_unknown_key_on_a_model(tmp_path):
    err = broken(tmp_path, "beta.toml", lambda d: model(d, "beta-large").update(retird="2027"))
    assert_names(err, "beta.toml", "beta-large", "retird")


def test_negative_rate(tmp_path):
    def edit(d):
        model(d, "beta-large")["prices"][0]["tiers"][0]["rates"]["USD"]["input_mtok"] = Decimal(
            "-20"
        )

    err = broken(tmp_path, "beta.toml", edit)
    assert_names(err, "beta.toml", "beta-large", "prices[0].tiers[0].rates.USD.input_mtok")


@pytest.mark.parametrize("value", [Decimal("inf"), Decimal("nan")])
def test_non_finite_rate(tmp_path, value):
    def edit(d):
        model(d, "alpha-flash")["prices"][0]["rates"]["CNY"]["output_mtok"] = value

    err = broken(tmp_path, "alpha.toml", edit)
    assert_names(err, "alpha.toml", "alpha-flash", "prices[0].rates.CNY.output_mtok")


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        # valid_until not after valid_from
        (
            lambda m: m["prices"][1].update(valid_until=utc(2026, 1, 15)),
            "prices[1]",
        ),
        # a malformed peak window
        (
            lambda m: m["prices"][1]["windows"][0].update(hours_utc=["04:00-01:00"]),
            "prices[1].windows[0]",
        ),
        # a window without the entry's CNY rates
        (
            lambda m: m["prices"][1]["windows"][0]["rates"].pop("CNY"),
            "prices[1]",
        ),
        # the scalar batch multiplier is gone: service tiers are variants
        (
            lambda m: m["prices"][0].update(batch_multiplier=Decimal("0.5")),
            "prices[0].batch_multiplier",
        ),
        # a service tier is a multiplier or rates, not both
        (
            lambda m: m["prices"][0].update(
                variants={"flex": {"multiplier": Decimal("0.5"), "rates": m["prices"][0]["rates"]}}
            ),
            "prices[0]",
        ),
        # an unknown kind of entry
        (
            lambda m: m["prices"][0].update(kind="sale"),
            "prices[0].kind",
        ),
    ],
)
def test_entry_shape_errors_name_the_field(tmp_path, edit, field):
    err = broken(tmp_path, "alpha.toml", lambda d: edit(model(d, "alpha-flash")))
    assert_names(err, "alpha.toml", "alpha-flash", field)


def test_invalid_toml_names_the_file_and_line(tmp_path):
    root = copy_fixture(tmp_path)
    text = (root / "beta.toml").read_text().replace('name = "Beta Labs"', "name = Beta Labs")
    (root / "beta.toml").write_text(text)
    with pytest.raises(CatalogError) as info:
        load_catalog(root)
    line = info.value.one_line()
    assert "beta.toml" in line
    assert "invalid TOML" in line
    assert "line 7" in line  # the `name = ...` line of beta.toml


# -- rules across entries and files ------------------------------------------------------------


def test_overlapping_entries_published_the_same_day(tmp_path):
    def edit(d):
        model(d, "alpha-pro")["prices"].append(
            {
                "published": date(2026, 1, 10),  # the promo's day
                "valid_from": utc(2026, 1, 31),  # inside the promo [01-15, 02-01 12:00)
                "valid_until": utc(2026, 2, 5),
                "kind": "promo",
                "source": ["S2"],
                "rates": {"USD": {"input_mtok": Decimal(1), "output_mtok": Decimal(1)}},
            }
        )

    err = broken(tmp_path, "alpha.toml", edit)
    assert_names(err, "alpha.toml", "alpha-pro", "prices[3]")
    assert "prices[1]" in err.one_line()  # the entry it overlaps


def test_same_day_entries_that_only_touch_do_not_overlap(tmp_path):
    root = copy_fixture(tmp_path)

    def edit(d):
        model(d, "alpha-pro")["prices"].append(
            {
                "published": date(2026, 1, 10),
                "valid_from": utc(2026, 2, 1, 12),  # exactly where the promo ends: half-open
                "valid_until": utc(2026, 2, 2),
                "kind": "promo",
                "source": ["S2"],
                "rates": {"USD": {"input_mtok": Decimal(3), "output_mtok": Decimal(3)}},
            }
        )

    edit_file(root, "alpha.toml", edit)
    catalog = load_catalog(root)
    # under the catalog of 2026-01-10 the new entry prices 2026-02-01 12:00
    entry = catalog.entry_at("alpha-pro", utc(2026, 2, 1, 12), known=date(2026, 1, 10))
    assert entry.rates["USD"].input_mtok == Decimal(3)


def test_source_not_in_sources(tmp_path):
    err = broken(
        tmp_path, "alpha.toml", lambda d: model(d, "alpha-flash")["prices"][1].update(source=["S9"])
    )
    assert_names(err, "alpha.toml", "alpha-flash", "prices[1].source")
    assert "'S9'" in err.one_line()


def test_entry_without_any_source(tmp_path):
    err = broken(
        tmp_path, "alpha.toml", lambda d: model(d, "alpha-flash")["prices"][0].update(source=[])
    )
    assert_names(err, "alpha.toml", "alpha-flash", "prices[0].source")


def test_model_not_priced_at_its_release(tmp_path):
    err = broken(
        tmp_path,
        "alpha.toml",
        lambda d: model(d, "alpha-pro").update(released=utc(2025, 12, 31, 23, 59)),
    )
    assert_names(err, "alpha.toml", "alpha-pro", "released")


def test_an_alias_under_another_providers_prefix_is_refused(tmp_path):
    err = broken(
        tmp_path, "beta.toml", lambda d: model(d, "beta-large")["aliases"].append("alpha/alpha.pro")
    )
    assert_names(err, "beta.toml", "beta-large", "aliases")
    assert "alpha.toml" in err.one_line()  # where the name was taken


@pytest.mark.parametrize(
    "alias",
    [
        "alpha-fast",  # alpha-flash's alias, in alpha.toml
        "alpha.fast",  # the same after normalizing '.' to '-'
        "ALPHA_FAST",  # case and '_'
        "alpha-pro",  # another model's id
    ],
)
def test_a_name_two_makers_share_is_ambiguous_bare_and_exact_with_a_prefix(tmp_path, alias):
    """Two providers may both call an offering so (offerings of one model at many
    providers); a bare use of the name is then an error listing them, never a guess."""
    root = copy_fixture(tmp_path)
    edit_file(root, "beta.toml", lambda d: model(d, "beta-large")["aliases"].append(alias))
    catalog = load_catalog(root)
    with pytest.raises(UnknownModel) as info:
        catalog.resolve(alias)
    assert "ambiguous" in info.value.message and "beta-large" in info.value.message
    assert catalog.resolve("beta/" + alias).key == "beta-large"
    assert catalog.resolve("alpha/" + alias).provider == "alpha"


def test_alias_already_naming_a_model_in_the_same_file(tmp_path):
    err = broken(
        tmp_path, "alpha.toml", lambda d: model(d, "alpha-pro").update(aliases=["alpha-legacy"])
    )
    assert_names(err, "alpha.toml", "alpha-pro", "aliases")
    assert "alpha-old" in err.one_line()


def test_a_models_own_alias_may_normalize_to_its_id(tmp_path):
    root = copy_fixture(tmp_path)
    edit_file(root, "beta.toml", lambda d: model(d, "beta-large")["aliases"].append("Beta.Large"))
    assert load_catalog(root).resolve("beta.large").id == "beta-large"


def test_duplicate_model_id_across_files(tmp_path):
    def edit(d):
        model(d, "beta-large")["id"] = "alpha-pro"

    err = broken(tmp_path, "beta.toml", edit)
    assert_names(err, "beta.toml", "alpha-pro", "id")


def test_successor_unknown(tmp_path):
    err = broken(
        tmp_path, "alpha.toml", lambda d: model(d, "alpha-old").update(successor="alpha-ultra")
    )
    assert_names(err, "alpha.toml", "alpha-old", "successor")
    assert "alpha-ultra" in err.one_line()


def test_successor_without_retirement(tmp_path):
    err = broken(
        tmp_path, "alpha.toml", lambda d: model(d, "alpha-pro").update(successor="alpha-flash")
    )
    assert_names(err, "alpha.toml", "alpha-pro", "successor")


# -- name resolution ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("alpha-flash", "alpha-flash"),
        ("ALPHA-FLASH", "alpha-flash"),
        ("Alpha_Flash", "alpha-flash"),
        ("alpha.flash", "alpha-flash"),
        ("  alpha-flash ", "alpha-flash"),
        ("alpha/alpha-flash", "alpha-flash"),
        ("openrouter/alpha/alpha-flash", "alpha-flash"),
        ("alpha-fast", "alpha-flash"),  # an alias
        ("alpha-legacy", "alpha-old"),
        ("beta-large-1.0", "beta-large"),
        ("beta-large-1-0", "beta-large"),  # '.' vs '-' in an alias
        ("openrouter/beta/BETA-LARGE-2026-01-01", "beta-large"),
    ],
)
def test_names_resolve_forgivingly(fixture_catalog, name, expected):
    assert fixture_catalog.resolve(name).id == expected


def test_unknown_name_suggests_the_closest_ids(fixture_catalog):
    with pytest.raises(UnknownModel) as info:
        fixture_catalog.resolve("alpha-flsh")
    assert "alpha-flsh" in info.value.message
    assert "did you mean 'alpha-flash'" in info.value.one_line()


def test_unknown_name_suggests_an_id_not_an_alias(fixture_catalog):
    with pytest.raises(UnknownModel) as info:
        fixture_catalog.resolve("alpha-legacyy")
    assert "'alpha-old'" in info.value.hint


def test_unknown_name_with_nothing_close(fixture_catalog):
    with pytest.raises(UnknownModel) as info:
        fixture_catalog.resolve("zzzzzz")
    assert info.value.hint  # still says what to do
    assert "did you mean" not in info.value.hint


# -- catalog versions --------------------------------------------------------------------------


def test_version_for_snaps_to_the_last_publication_on_or_before(fixture_catalog):
    assert fixture_catalog.version_for(None) == date(2026, 2, 20)
    assert fixture_catalog.version_for(date(2026, 1, 24)) == date(2026, 1, 10)
    assert fixture_catalog.version_for(date(2026, 1, 25)) == date(2026, 1, 25)
    assert fixture_catalog.version_for(date(2030, 1, 1)) == date(2026, 2, 20)


def test_version_for_before_the_first_version_is_input_error(fixture_catalog):
    with pytest.raises(InputError) as info:
        fixture_catalog.version_for(date(2025, 5, 31))
    assert "2025-05-31" in info.value.message
    assert "2025-06-01" in info.value.hint  # the earliest version


def test_a_cached_catalog_reads_only_the_offerings_it_is_asked_for(tmp_path, monkeypatch):
    """The cache keeps each offering apart (`Catalog.cache_state`): a command naming two
    offerings of the market's thousands unpickles two (bench/startup.py)."""
    monkeypatch.delenv("LLMCOST_NO_CACHE", raising=False)  # CI turns the cache off
    root = copy_fixture(tmp_path)
    load_catalog(root)
    cached = load_catalog(root)
    assert len(cached._models._done) == 0
    assert cached.info("alpha-flash").model.id == "alpha-flash"
    assert list(cached._models._done) == ["alpha-flash"]
    assert [m.key for m in cached.models()] == [m.key for m in load_catalog(root).models()]


def test_price_files_are_found_in_folders_in_path_order(tmp_path):
    """Every `*.toml` under a folder, any case, in subfolders but not through a link to one,
    sorted as paths sort (`b/z.toml` before `b-c.toml`: a layer's file order decides ties)."""
    import os

    from llmcost.catalog.load import _toml_files

    for name in ["a.toml", "A.TOML", ".toml", "x.toml.bak", "b-c.toml"]:
        (tmp_path / name).write_text("")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.toml").write_text("")
    os.symlink(tmp_path / "b", tmp_path / "link")
    found = [Path(p).relative_to(tmp_path).as_posix() for p in _toml_files(str(tmp_path))]
    assert found == ["A.TOML", "a.toml", "b/z.toml", "b-c.toml"]
    assert [Path(p) for p in _toml_files(str(tmp_path))] == sorted(
        p for p in tmp_path.rglob("*") if p.suffix.lower() == ".toml"
    )
