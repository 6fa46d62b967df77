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


@pytest.fixture(scope="session")
def fixture_pricing_dir() -> Path:
    """The directory of the fixture catalog (alpha.toml, beta.toml)."""
    return FIXTURE_PRICING


@pytest.fixture(scope="session")
def fixture_catalog(_private_catalog_cache: Path) -> Catalog:
    """The fixture catalog, loaded and validated once (a Catalog is immutable)."""
    return load_catalog(FIXTURE_PRICING)
