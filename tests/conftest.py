"""Shared fixtures: a small fixture catalog with round prices, for engine and CLI tests.

The CLI tests reuse `fixture_catalog` / `fixture_pricing_dir` (or `FIXTURE_PRICING` for a
`--pricing` path), so that a data edit in `pricing/` never breaks them. The shipped catalog is
checked against its sources only in `test_pricing_data.py`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from llmcost.catalog.load import load_catalog
from llmcost.catalog.lookup import Catalog

FIXTURE_PRICING = Path(__file__).resolve().parent / "fixtures" / "pricing"


@pytest.fixture(scope="session", autouse=True)
def _private_catalog_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """`load_catalog` caches validated catalogs under $XDG_CACHE_HOME/llmcost: point it at a
    temporary directory so tests never read or write the user's cache (and still exercise it)."""
    cache = tmp_path_factory.mktemp("xdg-cache")
    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(cache)
    yield cache
    if old is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = old


@pytest.fixture(autouse=True)
def _no_user_settings(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> None:
    """A user's config folder (overlays, currency, tier, time zone) and LLMCOST_* settings
    never reach a test: each test gets an empty config home."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg-config")))
    for name in ("PRICING", "CURRENCY", "TIER", "TIMEZONE"):
        monkeypatch.delenv(f"LLMCOST_{name}", raising=False)


@pytest.fixture(scope="session", autouse=True)
def _private_data_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The layers `catalog update` stores live under $XDG_DATA_HOME/llmcost/updates and go
    above the shipped catalog: tests never see the user's."""
    data = tmp_path_factory.mktemp("xdg-data")
    old = os.environ.get("XDG_DATA_HOME")
    os.environ["XDG_DATA_HOME"] = str(data)
    yield data
    if old is None:
        os.environ.pop("XDG_DATA_HOME", None)
    else:
        os.environ["XDG_DATA_HOME"] = old


@pytest.fixture(scope="session")
def fixture_pricing_dir() -> Path:
    """The directory of the fixture catalog (alpha.toml, beta.toml)."""
    return FIXTURE_PRICING


@pytest.fixture(scope="session")
def fixture_catalog(_private_catalog_cache: Path) -> Catalog:
    """The fixture catalog, loaded and validated once (a Catalog is immutable)."""
    return load_catalog(FIXTURE_PRICING)


# -- a peer format for the importer commands' tests ----------------------------------------------


def fake_convert(data: bytes, *, published, source: str):
    """A tiny peer format: `{"offerings": [{"provider", "id", "input", "output", ...}],
    "unmapped": [[key, reason]]}` as provider documents, the way a real importer works."""
    import json
    from datetime import UTC, datetime
    from decimal import Decimal

    from llmcost.catalog.importers import Imported
    from llmcost.errors import InputError

    try:
        raw = json.loads(data)
        offerings = raw["offerings"]
    except (ValueError, KeyError, TypeError):
        raise InputError(f"{source}: not fake-peer JSON", hint="is it the right file?") from None
    files: dict[str, dict] = {}
    for item in offerings:
        doc = files.setdefault(
            item["provider"],
            {
                "provider": item["provider"],
                "name": item["provider"].title(),
                "sources": {"FK": {"title": "fake peer", "url": source}},
                "models": [],
            },
        )
        released = datetime.fromisoformat(item.get("released", "2026-01-01T00:00:00+00:00"))
        rates = {k: Decimal(item[k]) for k in ("input", "output", "cache_read") if k in item}
        entry = {
            "published": published,
            "valid_from": released.astimezone(UTC),
            "kind": "list",
            "source": item.get("source", ["FK"]),
            "rates": {"USD": {f"{k}_mtok": v for k, v in rates.items()}},
        }
        model = {"id": item["id"], "name": item["id"].title(), "released": released}
        model.update(context_window=100_000, max_output=10_000, prices=[entry])
        for key in ("maker", "successor"):
            if key in item:
                model[key] = item[key]
        if "successor" in item:
            model["retired"] = datetime(2027, 1, 1, tzinfo=UTC)
        doc["models"].append(model)
    return Imported(files=files, unmapped=[tuple(pair) for pair in raw.get("unmapped", [])])


@pytest.fixture
def fake_format(monkeypatch: pytest.MonkeyPatch) -> str:
    """The format name `fake`, converted by `fake_convert`."""
    import sys
    import types

    from llmcost.catalog import importers

    module = types.ModuleType("llmcost.catalog.importers.fake")
    module.convert = fake_convert
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setitem(importers.FORMATS, "fake", "fake")
    return "fake"
