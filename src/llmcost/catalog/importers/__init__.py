"""Importers: a peer catalog's published data turned into llmcost price files.

Each format has a module with `convert(data: bytes, *, published: date, source: str) ->
Imported`: the peer's data as provider documents (dicts that `tomli_w` writes as
`pricing/*.toml` files) plus every key it could not map, with the reason (never dropped
silently). `write` stores the documents as files; `catalog import` and `catalog update` are
thin wrappers over these two.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from llmcost.errors import InputError

FORMATS = {"litellm": "litellm", "genai-prices": "genai_prices"}


@dataclass
class Imported:
    """Provider documents by provider id, and what could not be mapped: (key, reason)."""

    files: dict[str, dict] = field(default_factory=dict)
    unmapped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def offerings(self) -> int:
        return sum(len(doc.get("models", [])) for doc in self.files.values())


def convert(fmt: str, data: bytes, *, published: date, source: str) -> Imported:
    """`data` (the bytes of a peer's file) in format `fmt` as llmcost provider documents;
    `published` is the knowledge day for prices the data does not date, `source` where it
    came from (a path or URL, for the files' [sources])."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}", hint="one of " + ", ".join(FORMATS))
    module = importlib.import_module(f"llmcost.catalog.importers.{FORMATS[fmt]}")
    return module.convert(data, published=published, source=source)


def write(imported: Imported, directory: Path, *, header: str) -> list[Path]:
    """Each provider document as `directory/<provider>.toml`, headed by `header` (comment
    lines: where the data came from, the peer's licence notice). Returns the paths."""
    import tomli_w

    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    for provider, doc in sorted(imported.files.items()):
        path = directory / f"{provider}.toml"
        path.write_text(comment + "\n" + tomli_w.dumps(doc, multiline_strings=False))
        paths.append(path)
    return paths
