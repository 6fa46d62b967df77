"""`llmcost catalog update`: fetching the peers' data and storing it as a dated layer.

The peer is served by an `http.server` on 127.0.0.1 in a thread (no test touches any other
host); the shipped catalog is the fixture catalog and the clock is fixed, so every expected
price below is read off tests/fixtures/pricing/alpha.toml by hand. The peer's format is the
fake one of conftest.py (the real importers have their own tests).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmcost.catalog import importers
from llmcost.catalog.load import load_catalog, update_layers
from llmcost.catalog.update import same_rates, store_update
from llmcost.cli import catalog as catalog_cli
from llmcost.cli.app import app
from llmcost.cli.options import open_catalog
from llmcost.reports.catalog import catalog_layers

FIXTURE_PRICING = Path(__file__).resolve().parent / "fixtures" / "pricing"  # as in conftest.py
FETCHED = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
runner = CliRunner()

# alpha-pro is priced 2 / 4 from 2026-02-01 12:00 UTC; alpha-flash 1 / 0.1 / 2 (base)
PEER = {
    "offerings": [
        {"provider": "alpha", "id": "alpha-pro", "input": "3", "output": "6"},
        {"provider": "alpha", "id": "alpha-flash", "input": "1", "cache_read": "0.1",
         "output": "2"},
        {"provider": "alpha", "id": "alpha-nova", "input": "0.5", "output": "1.5",
         "released": "2026-11-01T00:00:00+00:00"},
    ],
    "unmapped": [["alpha-image-1", "priced per image, not per token"]],
}  # fmt: skip


# -- a peer on the loopback interface --------------------------------------------------------


class Peer:
    """What the test server answers: path -> (status, body, headers, delay in seconds)."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, bytes, dict[str, str], float]] = {}
        self.url = ""

    def serve(self, path: str, body: bytes | dict, *, status: int = 200, headers=None, delay=0.0):
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        self.routes[path] = (status, data, headers or {}, delay)
        return f"{self.url}{path}"


@pytest.fixture
def peer() -> Iterator[Peer]:
    state = Peer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body, headers, delay = state.routes.get(self.path, (404, b"", {}, 0.0))
            time.sleep(min(delay, 5.0))  # bounded: the server never holds a test for long
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if "Content-Length" not in headers and "X-No-Length" not in headers:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            # the client may stop reading: what an oversize test wants
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def shipped(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The fixture catalog as the shipped one, a fresh data home, the clock at FETCHED."""
    monkeypatch.setattr("llmcost.catalog.load.shipped_pricing_dir", lambda: FIXTURE_PRICING)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setattr(catalog_cli, "_now", lambda: FETCHED)
    return tmp_path / "data" / "llmcost" / "updates"


def update(*args: str):
    return runner.invoke(app, ["catalog", "update", *args], env={"NO_COLOR": "1"})


def rate(known: str | None, model: str, at: datetime) -> Decimal | None:
    """The USD input rate of `model` at `at` as `--catalog known` prices it."""
    choice = open_catalog(known)
    entry = choice.catalog.entry_at(model, at, choice.known)
    return None if entry is None else entry.rates["USD"].input_mtok


# -- the update layer ------------------------------------------------------------------------


def test_update_stores_a_dated_layer(fake_format, peer, shipped):
    url = peer.serve("/x.json", PEER)
    result = update("--source", f"fake={url}")
    assert result.exit_code == 0, result.output
    layer = shipped / "2026-12-06" / "fake"
    assert sorted(p.name for p in layer.iterdir()) == ["UNMAPPED.txt", "alpha.toml"]
    assert "alpha-image-1\tpriced per image, not per token" in (layer / "UNMAPPED.txt").read_text()
    assert "fake: 1 offerings added, 1 prices changed, 1 unchanged; 1 keys not mapped" in (
        result.output
    )
    assert "stored as update 2026-12-06" in result.output
    assert [name for name, _ in update_layers(shipped)] == ["update 2026-12-06"]


def test_knowledge_time_is_the_fetch_day(fake_format, peer, shipped):
    """The day before the fetch prices as before; from the fetch day the peer's price, and
    only from that day's midnight on: the past is not rewritten."""
    assert update("--source", f"fake={peer.serve('/x.json', PEER)}").exit_code == 0
    noon = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    day_before = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    assert rate("2026-12-05", "alpha-pro", noon) == Decimal(2)
    assert rate("2026-12-06", "alpha-pro", noon) == Decimal(3)
    assert rate(None, "alpha-pro", noon) == Decimal(3)
    assert rate("2026-12-06", "alpha-pro", day_before) == Decimal(2)
    # a new offering is known from the fetch day, with the peer's whole history
    assert rate("2026-12-05", "alpha-nova", noon) is None
    assert rate("2026-12-06", "alpha-nova", datetime(2026, 11, 2, tzinfo=UTC)) == Decimal("0.5")
    # an entry the peer agrees with gets nothing
    assert [e.layer for e in open_catalog(None).catalog.entries("alpha-flash")] == ["shipped"] * 2


def test_a_second_identical_update_adds_nothing(fake_format, peer, shipped):
    url = peer.serve("/x.json", PEER)
    assert update("--source", f"fake={url}").exit_code == 0
    again = update("--source", f"fake={url}")
    assert again.exit_code == 0, again.output
    assert "0 offerings added, 0 prices changed, 3 unchanged" in again.output
    assert "nothing new: no layer stored" in again.output
    assert sorted(p.name for p in shipped.iterdir()) == ["2026-12-06"]


def test_a_later_fetch_the_same_day_is_a_layer_above(fake_format, peer, shipped):
    assert update("--source", f"fake={peer.serve('/x.json', PEER)}").exit_code == 0
    cheaper = {"offerings": [{"provider": "alpha", "id": "alpha-pro", "input": "2.5",
                              "output": "5"}]}  # fmt: skip
    result = update("--source", f"fake={peer.serve('/y.json', cheaper)}", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["layer"] == "2026-12-06-2"
    assert document["sources"][0]["changed"] == ["alpha-pro"]
    assert rate("2026-12-06", "alpha-pro", FETCHED) == Decimal("2.5")
    names = [layer["name"] for layer in catalog_layers(open_catalog(None).catalog)]
    assert names == ["shipped", "update 2026-12-06", "update 2026-12-06-2"]


def test_layers_of_one_day_sort_by_fetch_number(tmp_path: Path):
    for name in ("2026-12-06-10", "2026-12-06", "2026-12-06-2", "2026-12-07"):
        (tmp_path / name).mkdir()
    assert [name for name, _ in update_layers(tmp_path)] == [
        "update 2026-12-06",
        "update 2026-12-06-2",
        "update 2026-12-06-10",
        "update 2026-12-07",
    ]


def test_a_third_party_offering_gets_its_price_as_an_extension(fake_format, tmp_path: Path):
    """An offering at a provider other than its maker is `provider/id`: the extension
    names its maker so that it extends that offering."""
    from tests.conftest import fake_convert

    base = tmp_path / "pricing"
    base.mkdir()
    for name in ("alpha.toml", "beta.toml"):
        (base / name).write_bytes((FIXTURE_PRICING / name).read_bytes())
    router = {"offerings": [{"provider": "gamma", "id": "alpha/alpha-pro", "maker": "alpha",
                             "input": "2.2", "output": "4.4"}]}  # fmt: skip
    imported = fake_convert(json.dumps(router).encode(), published=date(2026, 1, 1), source="g")
    importers.write(imported, base / "gamma", header="a router")
    catalog = load_catalog(base)
    newer = {"offerings": [{**router["offerings"][0], "input": "2.4"}]}
    data = fake_convert(json.dumps(newer).encode(), published=date(2026, 12, 6), source="g")
    done = store_update(catalog, [("fake", "http://g", data)], FETCHED, tmp_path / "updates")
    assert done.parts[0].changed == ["gamma/alpha/alpha-pro"]
    updated = load_catalog(base, updates=tmp_path / "updates")
    assert updated.entry_at("gamma/alpha/alpha-pro", FETCHED).rates["USD"].input_mtok == Decimal(
        "2.4"
    )


def stored(catalog, offerings: list[dict], root: Path):
    from tests.conftest import fake_convert

    data = fake_convert(json.dumps({"offerings": offerings}).encode(), published=date(2026, 1, 1),
                        source="http://peer")  # fmt: skip
    return store_update(catalog, [("fake", "http://peer", data)], FETCHED, root).parts[0]


def test_an_offering_that_would_break_the_catalog_is_listed_not_added(fixture_catalog, tmp_path):
    """One peer's odd entries cost only themselves: each is listed with the reason, and the
    rest of the update is stored."""
    part = stored(
        fixture_catalog,
        [
            # claims to be alpha's own alpha-pro (no maker) at another provider
            {"provider": "gamma", "id": "alpha-pro", "input": "9", "output": "9"},
            # `alpha.pro` at its own maker: the bare name alpha-pro would be ambiguous
            {"provider": "gamma", "id": "alpha.pro", "input": "9", "output": "9"},
            # a successor the catalog does not have
            {"provider": "gamma", "id": "gamma-0", "input": "1", "output": "1",
             "successor": "gamma-9"},
            {"provider": "gamma", "id": "gamma-1", "input": "1", "output": "2"},
        ],
        tmp_path,
    )  # fmt: skip
    assert part.added == ["gamma-1"]
    reasons = dict(part.unmapped)
    assert reasons["gamma/alpha-pro"] == (
        "not added: 'alpha-pro' is alpha's offering; this one names no other maker"
    )
    assert reasons["gamma/alpha.pro"] == (
        "not added: it would change what 'alpha-pro' names in the catalog"
    )
    assert reasons["gamma/gamma-0"] == "not added: successor: unknown model 'gamma-9'"
    updated = load_catalog(FIXTURE_PRICING, updates=tmp_path)
    assert updated.resolve("alpha-pro").key == "alpha-pro"
    assert updated.entry_at("alpha-pro", FETCHED).rates["USD"].input_mtok == Decimal(2)


def test_a_history_that_only_its_publication_days_keep_apart_is_listed(fixture_catalog, tmp_path):
    """A promo published after the list price it overlaps: dated both on the fetch day, the
    two would overlap (one day cannot say which won), so the offering is listed, not added."""
    from tests.conftest import fake_convert

    raw = {"offerings": [{"provider": "gamma", "id": "gamma-2", "input": "4", "output": "8"}]}
    data = fake_convert(json.dumps(raw).encode(), published=date(2026, 1, 1), source="p")
    prices = data.files["gamma"]["models"][0]["prices"]
    promo = {**prices[0], "published": date(2026, 3, 1), "kind": "promo",
             "valid_from": datetime(2026, 3, 1, tzinfo=UTC),
             "valid_until": datetime(2026, 4, 1, tzinfo=UTC)}  # fmt: skip
    prices.append(promo)
    part = store_update(fixture_catalog, [("fake", "p", data)], FETCHED, tmp_path).parts[0]
    assert part.added == []
    assert part.unmapped == [
        (
            "gamma/gamma-2",
            "not added: its price entries overlap once all are dated 2026-12-06, the day "
            "llmcost learned them",
        )
    ]
    assert not tmp_path.joinpath("2026-12-06").exists()


def test_a_peer_silent_on_a_rate_agrees_with_its_fallback(fixture_catalog):
    """alpha-pro has no cache-read rate (hits are billed as input): a peer that gives the
    input rate as its cache-read rate says the same."""
    entry = fixture_catalog.entry_at("alpha-pro", FETCHED)
    peer_rates = entry.rates["USD"]._replace(cache_read_mtok=Decimal(2))
    assert same_rates(entry, entry._replace(rates={"USD": peer_rates}))
    cheaper = peer_rates._replace(cache_read_mtok=Decimal(1))
    assert not same_rates(entry, entry._replace(rates={"USD": cheaper}))


# -- failures: one line each, exit 2 when nothing was fetched ---------------------------------


def one_error(result) -> str:
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("llmcost: error: "), lines[0]
    assert result.exit_code == 2
    return lines[0]


def test_not_found(fake_format, peer, shipped):
    line = one_error(update("--source", f"fake={peer.url}/missing.json"))
    assert line == f"llmcost: error: {peer.url}/missing.json: HTTP 404 Not Found"
    assert not shipped.exists()


def test_timeout(fake_format, peer, shipped):
    url = peer.serve("/slow.json", PEER, delay=3.0)
    line = one_error(update("--source", f"fake={url}", "--timeout", "0.3"))
    assert f"{url}: no answer within 0.3 s" in line


@pytest.mark.parametrize("headers", [{}, {"X-No-Length": "1", "Connection": "close"}])
def test_oversize(fake_format, peer, shipped, monkeypatch, headers):
    """Refused by its Content-Length, or (without one) by reading one byte past the bound."""
    monkeypatch.setattr(importers, "MAX_BYTES", 100)
    url = peer.serve("/big.json", b"[" + b" " * 500 + b"]", headers=headers)
    assert f"{url}: larger than 100 bytes" in one_error(update("--source", f"fake={url}"))


def test_garbage(fake_format, peer, shipped):
    url = peer.serve("/garbage.json", b"<html>rate limited</html>")
    assert "not fake-peer JSON" in one_error(update("--source", f"fake={url}"))


def test_a_redirect_off_http_is_refused(fake_format, peer, shipped):
    """(urllib itself refuses file: redirects, but follows ftp: ones.)"""
    url = peer.serve("/moved", b"", status=302, headers={"Location": "ftp://127.0.0.1:9/x"})
    line = one_error(update("--source", f"fake={url}"))
    assert line.endswith("redirected to a non-http(s) address 'ftp://127.0.0.1:9/x'")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("fake=file:///etc/passwd", "'file:///etc/passwd' is not an http(s) address"),
        ("nope=http://127.0.0.1/x", "unknown format 'nope'"),
        ("http://127.0.0.1/x", "is not FORMAT=URL"),
    ],
)
def test_bad_sources(fake_format, shipped, source, expected):
    assert expected in one_error(update("--source", source))


def test_one_failure_among_sources_exits_1_and_stores_the_rest(fake_format, peer, shipped):
    good = peer.serve("/x.json", PEER)
    result = update("--source", f"fake={peer.url}/gone", "--source", f"fake={good}")
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("llmcost: error")]
    assert errors == [f"llmcost: error: {peer.url}/gone: HTTP 404 Not Found"]
    assert (shipped / "2026-12-06" / "fake" / "alpha.toml").is_file()


# -- the real importer, once it is merged -------------------------------------------------------

LITELLM = {
    "sample_spec": {"max_tokens": "set to max_output_tokens", "litellm_provider": "openai"},
    "alpha-pro": {
        "litellm_provider": "alpha",
        "mode": "chat",
        "input_cost_per_token": 3e-06,
        "output_cost_per_token": 6e-06,
        "max_input_tokens": 1000000,
        "max_output_tokens": 100000,
    },
}


@pytest.mark.skipif(
    importlib.util.find_spec("llmcost.catalog.importers.litellm") is None,
    reason="the LiteLLM importer is not in this branch",
)
def test_update_from_litellm_data(peer, shipped):
    result = update("--source", f"litellm={peer.serve('/litellm.json', LITELLM)}")
    assert result.exit_code == 0, result.output
    assert (shipped / "2026-12-06" / "litellm" / "UNMAPPED.txt").is_file()
    load_catalog(FIXTURE_PRICING, updates=shipped)  # the layer is valid above its catalog


def test_a_peer_price_that_would_drop_what_the_catalog_knows_is_listed_not_taken(
    fake_format, tmp_path: Path
):
    """alpha-flash has CNY rates and Mon-Fri peak windows in the catalog; a peer's USD-only,
    windowless price that differs would lose both from the fetch day on: it is listed, and
    the catalog's price stands (an overlay or `catalog import` takes it on purpose)."""
    catalog = load_catalog(FIXTURE_PRICING)
    offering = {"provider": "alpha", "id": "alpha-flash", "input": "1.2", "output": "2"}
    part = stored(catalog, [offering], tmp_path / "updates")
    assert part.changed == []
    reasons = dict(part.unmapped)
    assert reasons["alpha/alpha-flash"] == (
        "not changed: the peer's price differs but lacks the catalog's rates in CNY"
    )
