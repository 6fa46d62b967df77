"""Reading `pricing/*.toml` into a validated `Catalog`.

Every error names the file, the model and the field, so a person editing a price sheet knows
where to look. Checks that span entries or files (overlaps, sources, aliases, release prices)
run here after pydantic has checked each file's shape.
"""

from __future__ import annotations

import os
import pickle
import zlib
from collections import defaultdict
from pathlib import Path
from typing import Any

from llmcost import __version__
from llmcost.catalog.entities import Provider
from llmcost.catalog.lookup import Catalog
from llmcost.catalog.names import normalize
from llmcost.errors import CatalogError, InputError


def shipped_pricing_dir() -> Path:
    """The catalog that ships with llmcost: inside the wheel (`llmcost/pricing`), or the
    repository's top-level `pricing/` when running from a source checkout."""
    package_dir = Path(__file__).resolve().parent.parent
    inside = package_dir / "pricing"
    if inside.is_dir():
        return inside
    return package_dir.parent.parent / "pricing"


def load_catalog(path: str | Path | None = None) -> Catalog:
    """Load and validate a catalog: a directory of provider files, one file, or the shipped
    catalog when `path` is None."""
    from stat import S_ISDIR

    from llmcost.files import os_error

    root = Path(path) if path is not None else shipped_pricing_dir()
    try:
        is_dir = S_ISDIR(os.stat(root).st_mode)
    except FileNotFoundError:
        raise InputError(f"{root}: no such catalog file or directory") from None
    except OSError as exc:  # a symlink loop, no permission: said as what it is
        raise os_error(exc, str(root)) from None
    except ValueError:  # a NUL byte, which no path can hold
        raise InputError(f"{str(root)!r}: the path contains a NUL byte") from None
    if is_dir:
        files = sorted(root.glob("*.toml"))
        if not files:
            raise InputError(f"{root}: no *.toml price files in this directory")
    else:
        files = [root]  # a device or pipe is refused by the bounded read
    contents = [(file, _read_bytes(file)) for file in files]
    key = _cache_key(contents)
    providers = _cached(key)
    if providers is None:
        providers = [(file, parse_provider_file(file, data)) for file, data in contents]
        validate_catalog(providers)
        _store(key, providers)
    return Catalog(providers)


def _read_bytes(file: Path) -> bytes:
    from llmcost.files import read_bounded

    return read_bounded(file, error=CatalogError)


def parse_provider_file(file: Path, data: bytes) -> Provider:
    from pydantic import ValidationError

    from llmcost.catalog.schema import ProviderFile, to_entities
    from llmcost.tomlfile import parse_toml, schema_error

    raw, lines = parse_toml(data, str(file), error=CatalogError)
    try:
        return to_entities(ProviderFile.model_validate(raw))
    except ValidationError as exc:
        problem = schema_error(
            exc, raw, str(file), lines, schema="the README's catalog section", error=CatalogError
        )
        model = _model_named(exc.errors()[0]["loc"], raw)
        if model is not None:  # the model by its id, not by its index
            index = exc.errors()[0]["loc"][1]
            rest = problem.message.removeprefix(f"models[{index}].")
            problem.message = f"model {model!r}, {rest}"
        raise problem from None


def _model_named(loc, raw: dict[str, Any]) -> str | None:
    if len(loc) >= 2 and loc[0] == "models" and isinstance(loc[1], int):
        models = raw.get("models")
        if isinstance(models, list) and loc[1] < len(models) and isinstance(models[loc[1]], dict):
            return str(models[loc[1]].get("id", f"#{loc[1] + 1}"))
    return None


# -- the validated-catalog cache ----------------------------------------------------------------
# Building pydantic's validators costs more than the rest of a one-shot command. A catalog
# whose files hash the same as one already validated (by this llmcost version) is read back
# from a pickle of its entities instead. Any edit changes the hash and re-validates.
# LLMCOST_NO_CACHE=1 turns the cache off.


def _cache_key(contents: list[tuple[Path, bytes]]) -> str:
    """The files' paths, sizes, modification times and CRC-32s, and llmcost's version: an
    edit that kept all of them would have to keep the size, the mtime and the CRC together."""
    # the code that validates is part of the key: a new rule re-validates cached catalogs
    here = Path(__file__).resolve().parent
    parts = [__version__]
    for code in ("schema.py", "entities.py", "load.py"):
        parts.append(f"{code}:{(here / code).stat().st_mtime_ns}")
    for file, data in contents:
        stat = file.stat()
        parts.append(f"{file.resolve()}:{stat.st_size}:{stat.st_mtime_ns}:{zlib.crc32(data):08x}")
    return f"{zlib.crc32('|'.join(parts).encode()):08x}{zlib.adler32(''.join(parts).encode()):08x}"


def _cache_dir() -> Path | None:
    if os.environ.get("LLMCOST_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "llmcost"


def _cached(key: str) -> list[tuple[Path, Provider]] | None:
    directory = _cache_dir()
    if directory is None:
        return None
    try:
        with (directory / f"catalog-{key}.pickle").open("rb") as handle:
            value = pickle.load(handle)
    except Exception:  # missing, unreadable or stale: validate afresh
        return None
    return value if isinstance(value, list) else None


def _store(key: str, providers: list[tuple[Path, Provider]]) -> None:
    directory = _cache_dir()
    if directory is None:
        return
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tmp = directory / f".catalog-{key}.{os.getpid()}.tmp"
        with tmp.open("wb") as handle:
            pickle.dump(providers, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, directory / f"catalog-{key}.pickle")
    except OSError:
        pass  # a read-only home only costs speed


def validate_catalog(providers: list[tuple[Path, Provider]]) -> None:
    """The rules from DESIGN.md that no single field can check."""
    seen_names: dict[str, tuple[Path, str]] = {}
    ids = {m.id for _, p in providers for m in p.models}
    defined: dict[str, Path] = {}
    for file, provider in providers:
        for model in provider.models:
            where = f"{file}: model {model.id!r}"
            if model.id in defined:
                raise CatalogError(
                    f"id: {model.id!r} is already defined in {defined[model.id]}",
                    where=where,
                    hint="a later price is a new entry under the same model, not a new model",
                )
            defined[model.id] = file
            for name in (model.id, *model.aliases):
                key = normalize(name)
                if key in seen_names and seen_names[key][1] != model.id:
                    other_file, other = seen_names[key]
                    raise CatalogError(
                        f"aliases: {name!r} also names {other!r} in {other_file}",
                        where=where,
                        hint="every name and alias must be unique across the catalog",
                    )
                seen_names[key] = (file, model.id)
            _check_entries(where, model, provider)
            if model.successor is not None and model.successor not in ids:
                raise CatalogError(f"successor: unknown model {model.successor!r}", where=where)
            if model.successor is not None and model.retired is None:
                raise CatalogError("successor: given without a retired instant", where=where)


def _check_entries(where: str, model, provider: Provider) -> None:
    by_day = defaultdict(list)
    for index, entry in enumerate(model.prices):
        field = f"prices[{index}]"
        for key in entry.source:
            if key not in provider.sources:
                raise CatalogError(
                    f"{field}.source: {key!r} is not in this file's [sources]",
                    where=where,
                    hint="add it under [sources] with a title and url",
                )
        for other_index, other in by_day[entry.published]:
            if _overlap(entry, other):
                raise CatalogError(
                    f"{field}: overlaps prices[{other_index}], published the same day "
                    f"({entry.published.isoformat()})",
                    where=where,
                    hint="a later change is a new entry with a later published day",
                )
        by_day[entry.published].append((index, entry))
    released = model.released
    priced = [e for e in model.prices if e.contains(released)]
    if not priced:
        raise CatalogError(
            f"released: no price entry is valid at the release ({released.isoformat()})",
            where=where,
        )


def _overlap(a, b) -> bool:
    a_end = a.valid_until
    b_end = b.valid_until
    return (b_end is None or a.valid_from < b_end) and (a_end is None or b.valid_from < a_end)
