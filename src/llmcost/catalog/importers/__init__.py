"""Importers: a peer catalog's published data turned into llmcost price files.

Each format has a module with `convert(data: bytes, *, published: date, source: str) ->
Imported`: the peer's data as provider documents (dicts that `tomli_w` writes as
`pricing/*.toml` files) plus every key it could not map, with the reason (never dropped
silently). `write` stores the documents as files; `catalog import` and `catalog update` are
thin wrappers over these two. `read_data` is the bounded read of a peer's file.
"""

from __future__ import annotations

import importlib
import os
import stat
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from llmcost.errors import InputError

FORMATS = {"litellm": "litellm", "genai-prices": "genai_prices"}

# The MIT licence's permission notice, which both peers' data carry; each importer's NOTICE
# puts its copyright line above it.
MIT_PERMISSION = """\
Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE."""
MAX_BYTES = 64 * 1024 * 1024  # a peer's whole catalog is a few MiB; more is not one
UNMAPPED = "UNMAPPED.txt"


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


def read_data(path: Path) -> bytes:
    """The bytes of a peer's file, refused when it is not a regular file or is larger than
    `MAX_BYTES` (checked before and while reading: a file may grow)."""
    limit = MAX_BYTES
    try:
        info = path.stat()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{path}: not a regular file", hint="give the peer's JSON file")
    if info.st_size > limit:
        raise InputError(f"{path}: larger than {size(limit)}", hint="is it the right file?")
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    if len(data) > limit:
        raise InputError(f"{path}: larger than {size(limit)}", hint="is it the right file?")
    return data


def size(limit: int) -> str:
    """A byte bound as a person reads it."""
    return f"{limit // 2**20} MiB" if limit >= 2**20 else f"{limit} bytes"


def write(imported: Imported, directory: Path, *, header: str, force: bool = False) -> list[Path]:
    """Each provider document as `directory/<provider>.toml`, headed by `header` (comment
    lines: where the data came from, the peer's licence notice), and every unmapped key with
    its reason in `directory/UNMAPPED.txt`. Returns the price files' paths.

    A file that exists is someone's work: without `force` nothing is written if any of them
    exists. Each file is written whole or not at all (a temporary file, then a rename)."""
    import tomli_w

    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / f"{provider}.toml" for provider in sorted(imported.files)]
    unmapped = directory / UNMAPPED
    if not force:
        existing = [p for p in (*paths, unmapped) if p.exists() or p.is_symlink()]
        if existing:
            raise InputError(
                f"{existing[0]}: already exists",
                hint="give --force to overwrite it, or write to another directory",
            )
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    for path, provider in zip(paths, sorted(imported.files), strict=True):
        doc = imported.files[provider]
        _write_atomic(path, comment + "\n" + tomli_w.dumps(doc, multiline_strings=False))
    _write_atomic(unmapped, comment + unmapped_text(imported))
    return paths


def unmapped_text(imported: Imported) -> str:
    """What could not be mapped, one `key<TAB>reason` line each."""
    if not imported.unmapped:
        return "# every key was mapped\n"
    lines = [f"# {len(imported.unmapped)} keys not mapped: key<TAB>reason\n"]
    for key, reason in imported.unmapped:
        lines.append(f"{' '.join(key.split())}\t{' '.join(reason.split())}\n")
    return "".join(lines)


def _write_atomic(path: Path, text: str) -> None:
    """`text` as `path`, whole or not at all: a reader never sees half a price file."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise InputError(f"{path}: cannot write: {exc.strerror}") from None
