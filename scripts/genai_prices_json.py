"""Dump the price data of an installed genai-prices as its v2 `data.json`.

genai-prices' own updater fetches `prices/new_data/v2/data.json` from its repository; its
wheel carries the same data as Python (`genai_prices.data.providers`). This script writes
the package's data in that JSON shape, so `llmcost.catalog.importers.genai_prices` reads a
pinned release exactly as it reads the fetched file:

    python -m venv /tmp/gp && /tmp/gp/bin/pip install genai-prices==0.2.5
    /tmp/gp/bin/python scripts/genai_prices_json.py > data.json

genai-prices is a development tool here, never a dependency of llmcost. The dump is checked
before it is written: genai-prices' own loader (the one its updater uses) must read it back
equal to the package's data, or the script fails. Prices are written as JSON numbers with
their exact decimal digits (never through float), clause keys as `or`/`and`, absent values
left out, as in the upstream file. The data is MIT-licensed, "Copyright (c) Pydantic
Services Inc. 2025 to present"; keep that notice with any copy.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from datetime import date, time
from decimal import Decimal

RENAMED = {"or_": "or", "and_": "and"}  # dataclass fields whose JSON key is a keyword


def plain(value):
    """`value` (genai-prices dataclasses, ModelPrice, dates, Decimals) as JSON-ready data;
    a Decimal becomes `_Number`, written later with its exact digits."""
    from genai_prices.types import ModelPrice

    if isinstance(value, ModelPrice):
        return {
            k: plain(v)
            for k, v in value.__dict__.items()
            if not k.startswith("_") and v is not None
        }
    if dataclasses.is_dataclass(value):
        out = {}
        for f in dataclasses.fields(value):
            if f.name.startswith("_") or not f.init:
                continue
            item = getattr(value, f.name)
            if item is not None:
                out[RENAMED.get(f.name, f.name)] = plain(item)
        return out
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, Decimal):
        return _Number(value)
    if isinstance(value, date | time):
        return value.isoformat()
    return value


class _Number(float):
    """A Decimal that `json.dumps` writes with its own digits: a float subclass whose repr is
    the decimal's text (the float value itself is never used)."""

    def __new__(cls, value: Decimal):
        self = super().__new__(cls, 0.0)
        self.text = format(value, "f") if value == value.to_integral_value() else str(value)
        return self

    def __repr__(self) -> str:
        return self.text


def dump(providers) -> str:
    return json.dumps(plain(providers), ensure_ascii=False, separators=(",", ":"), cls=_Encoder)


class _Encoder(json.JSONEncoder):
    def iterencode(self, o, _one_shot=False):
        # the C encoder formats floats itself; the Python one calls float.__repr__ on them
        # through `floatstr`, which we replace to write a Decimal's own digits
        return json.encoder._make_iterencode(
            {},
            self.default,
            json.encoder.py_encode_basestring,
            self.indent,
            lambda o, *_: o.text if isinstance(o, _Number) else float.__repr__(o),
            self.key_separator,
            self.item_separator,
            self.sort_keys,
            self.skipkeys,
            _one_shot,
        )(o, 0)


def check_round_trip(text: str, providers) -> None:
    """genai-prices' own loader must read `text` back equal to its bundled data."""
    from genai_prices.types import _providers_from_raw

    again = _providers_from_raw(json.loads(text))
    if again != providers:
        for mine, theirs in zip(again, providers, strict=True):
            if mine != theirs:
                raise SystemExit(f"round trip differs for provider {theirs.id!r}")
        raise SystemExit("round trip differs")


def main() -> None:
    import genai_prices
    from genai_prices.data import providers

    text = dump(providers)
    check_round_trip(text, providers)
    sys.stdout.write(text + "\n")
    version = getattr(genai_prices, "__version__", "?")
    print(f"genai-prices {version}: {len(providers)} providers", file=sys.stderr)


if __name__ == "__main__":
    main()
