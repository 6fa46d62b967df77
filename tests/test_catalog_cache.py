"""The validated-catalog cache never outlives what it was built from.

`load_catalog` keeps a pickle of each catalog it validated, keyed by the layers' files (path,
size, inode, modification time) and llmcost's own validating code. Every change a user or an
update makes to any price file, overlay or config must come back as a re-read catalog, never
as the cached one. CI turns the cache off (LLMCOST_NO_CACHE=1); these tests turn it on.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmcost.catalog import load
from llmcost.catalog.load import load_catalog
from llmcost.cli.app import app
from tests.conftest import FIXTURE_PRICING

OVERLAY = Path(__file__).resolve().parent / "fixtures" / "overlays" / "negotiated.toml"
AT = "2026-02-10"


@pytest.fixture(autouse=True)
def _cache_on(monkeypatch, tmp_path):
    monkeypatch.delenv("LLMCOST_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def copy_pricing(tmp_path: Path) -> Path:
    root = tmp_path / "pricing"
    shutil.copytree(FIXTURE_PRICING, root)
    return root


def input_rate(catalog, key: str = "alpha-flash") -> Decimal:
    return catalog.info(key).model.prices[0].rates["USD"].input_mtok


def cached_files(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in (tmp_path / "cache" / "llmcost").glob("catalog-*.pickle"))


def rewrite(path: Path, old: str, new: str) -> None:
    """An edit in place (the same file, the same inode), its size kept where `old` and `new`
    are as long; a clock too coarse to tell the two writes apart is moved on by a second."""
    before = path.stat().st_mtime_ns
    path.write_text(path.read_text().replace(old, new, 1))
    if path.stat().st_mtime_ns == before:
        os.utime(path, ns=(before + 10**9, before + 10**9))


def test_a_second_load_comes_from_the_cache(tmp_path, monkeypatch):
    root = copy_pricing(tmp_path)
    first = load_catalog(root)
    assert len(cached_files(tmp_path)) == 1
    monkeypatch.setattr(load, "validate_catalog", None)  # validating again would fail
    second = load_catalog(root)
    assert [m.model for m in second.models()] == [m.model for m in first.models()]


def test_an_edit_of_the_same_size_is_read(tmp_path):
    root = copy_pricing(tmp_path)
    assert input_rate(load_catalog(root)) == Decimal(1)
    size = (root / "alpha.toml").stat().st_size
    rewrite(root / "alpha.toml", "input_mtok = 1,", "input_mtok = 7,")
    assert (root / "alpha.toml").stat().st_size == size
    assert input_rate(load_catalog(root)) == Decimal(7)


def test_a_file_replaced_with_its_size_and_time_kept_is_read(tmp_path):
    """A file moved over another (a new inode) with the old size and mtime put back."""
    root = copy_pricing(tmp_path)
    load_catalog(root)
    target = root / "alpha.toml"
    stat = target.stat()
    replacement = tmp_path / "alpha.new"
    replacement.write_text(target.read_text().replace("input_mtok = 1,", "input_mtok = 9,", 1))
    os.replace(replacement, target)
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert target.stat().st_size == stat.st_size
    assert input_rate(load_catalog(root)) == Decimal(9)


def test_an_added_or_removed_price_file_is_read(tmp_path):
    root = copy_pricing(tmp_path)
    assert {m.key for m in load_catalog(root).models()} >= {"beta-large"}
    sub = root / "more"
    sub.mkdir()
    (sub / "beta.toml").write_text((root / "beta.toml").read_text())
    (root / "beta.toml").unlink()  # the same file, moved into a subfolder: still beta-large
    assert "beta-large" in {m.key for m in load_catalog(root).models()}
    (sub / "beta.toml").unlink()
    assert "beta-large" not in {m.key for m in load_catalog(root).models()}


def test_an_edited_or_added_overlay_is_read(tmp_path):
    root = copy_pricing(tmp_path)
    overlays = tmp_path / "overlays"
    overlays.mkdir()
    mine = overlays / "mine.toml"
    mine.write_text(OVERLAY.read_text())
    flash = load_catalog(root, overlays=[overlays]).info("alpha-flash")
    assert flash.model.prices[-1].rates["USD"].input_mtok == Decimal("0.8")
    rewrite(mine, "input_mtok = 0.8", "input_mtok = 0.6")
    flash = load_catalog(root, overlays=[overlays]).info("alpha-flash")
    assert flash.model.prices[-1].rates["USD"].input_mtok == Decimal("0.6")
    # a second file in the overlay folder: its discount is there at once
    (overlays / "more.toml").write_text(
        'provider = "beta"\n[sources]\nX = { title = "x" }\n[[discounts]]\nprovider = "beta"\n'
        'off = 0.5\npublished = 2026-01-20\nvalid_from = 2026-02-01T00:00:00Z\nsource = ["X"]\n'
    )
    offs = [d.off for d in load_catalog(root, overlays=[overlays]).discounts]
    assert Decimal("0.5") in offs


def test_an_update_layer_is_read(tmp_path):
    root = copy_pricing(tmp_path)
    updates = tmp_path / "updates"
    updates.mkdir()
    before = load_catalog(root, updates=updates)
    layer = updates / "2026-02-05"
    layer.mkdir()
    (layer / "alpha.toml").write_text(
        OVERLAY.read_text().split("[[discounts]]")[0].replace("2026-01-20", "2026-02-05")
    )
    after = load_catalog(root, updates=updates)
    assert (
        len(after.info("alpha-flash").model.prices)
        == len(before.info("alpha-flash").model.prices) + 1
    )
    assert date(2026, 2, 5) in after.versions
    assert date(2026, 2, 5) not in before.versions


def test_a_config_naming_an_overlay_is_read(tmp_path):
    """The config file adds a layer: the next run prices with it, not the cached catalog."""
    config = tmp_path / "config"
    (config / "llmcost").mkdir(parents=True)
    env = {"XDG_CONFIG_HOME": str(config), "NO_COLOR": "1"}
    args = ["compare", "alpha-flash", "--input", "1M", "--output", "1"]
    args += ["--at", AT, "--catalog", str(copy_pricing(tmp_path)), "--format", "json"]

    def total() -> str:
        result = CliRunner().invoke(app, args, env=env)
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)["rows"][0]["total"]

    assert total() == "1.000002"  # 1M x $1 + 1 x $2 per 1M
    (tmp_path / "mine.toml").write_text(OVERLAY.read_text())
    (config / "llmcost" / "config.toml").write_text(f'pricing = ["{tmp_path / "mine.toml"}"]\n')
    assert total() == "0.72000144"  # the negotiated (1M x 0.8 + 1 x 1.6 per 1M), 10% off
