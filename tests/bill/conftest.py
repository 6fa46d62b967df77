"""Fixtures of the `bill` tests: the fixture catalog (alpha.toml, beta.toml: round prices),
the shipped catalog for the real boundary instants, and a writer of usage logs."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from llmcost.catalog.load import load_catalog
from llmcost.catalog.lookup import Catalog

BILL_PRICING = Path(__file__).resolve().parent.parent / "fixtures" / "pricing"


@pytest.fixture(scope="session")
def bill_catalog() -> Catalog:
    return load_catalog(BILL_PRICING)


@pytest.fixture(scope="session")
def shipped_catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def write_log(tmp_path: Path):
    """`write_log(records, name)`: a JSONL (or .gz) file; a str record is written verbatim."""

    def write(records, name: str = "usage.jsonl") -> Path:
        lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
        text = "".join(line + "\n" for line in lines)
        path = tmp_path / name
        if name.endswith(".gz"):
            path.write_bytes(gzip.compress(text.encode()))
        else:
            path.write_text(text)
        return path

    return write
