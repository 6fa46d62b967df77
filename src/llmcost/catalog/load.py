"""Reading `pricing/*.toml` into a validated `Catalog`.

Every error names the file, the model and the field, so a person editing a price sheet knows
where to look. Checks that span entries or files (overlaps, sources, aliases, release prices)
run here after pydantic has checked each file's shape.
"""

from __future__ import annotations

import os
import zlib
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from llmcost import __version__
from llmcost.catalog.entities import Provider
from llmcost.catalog.lookup import SHIPPED, Catalog, canonical_providers, offering_key
from llmcost.catalog.names import fold
from llmcost.errors import CatalogError, InputError, LlmcostError


def shipped_pricing_dir() -> Path:
    """The catalog that ships with llmcost: inside the wheel (`llmcost/pricing`), or the
    repository's top-level `pricing/` when running from a source checkout."""
    package_dir = Path(__file__).resolve().parent.parent
    inside = package_dir / "pricing"
    if inside.is_dir():
        return inside
    return package_dir.parent.parent / "pricing"


def load_catalog(
    path: str | Path | None = None,
    *,
    overlays: Sequence[str | Path] = (),
    updates: str | Path | None = None,
) -> Catalog:
    """Load and validate a catalog in layers: the shipped catalog (or `path`: a directory of
    provider files, or one file), the dated layers `catalog update` stored under `updates`,
    then each overlay (a file or a directory), lowest first."""
    layers = [(SHIPPED if path is None else str(path), _files(path, what="catalog"))]
    if updates is not None:
        layers += update_layers(Path(updates))
    for overlay in overlays:
        layers.append((f"overlay {overlay}", _files(overlay, what="--pricing")))
    key = _cache_key(layers)
    catalog = _cached(key)
    if catalog is None:
        contents = [(name, [(f, _read_bytes(f)) for f in files]) for name, files in layers]
        parsed = [
            (name, [(file, parse_provider_file(file, data)) for file, data in files])
            for name, files in contents
        ]
        catalog = validate_catalog(parsed)
        _store(key, catalog)
    return catalog


def _files(path: str | Path | None, *, what: str) -> list[Path]:
    """The price files of a layer: `*.toml` under a directory (its subdirectories too), or
    the one file (a device or pipe is refused by the bounded read)."""
    from stat import S_ISDIR

    root = Path(path) if path is not None else shipped_pricing_dir()
    try:
        is_dir = S_ISDIR(os.stat(root).st_mode)
    except FileNotFoundError:
        raise InputError(f"{root}: no such {what} file or directory") from None
    except OSError as exc:  # a symlink loop, no permission: said as what it is
        from llmcost.files import os_error

        raise os_error(exc, str(root)) from None
    except ValueError:  # a NUL byte, which no path can hold
        raise InputError(f"{str(root)!r}: the path contains a NUL byte") from None
    if not is_dir:
        return [root]
    files = [Path(p) for p in _toml_files(str(root))]
    if not files and what == "catalog":
        raise InputError(f"{root}: no *.toml price files in this directory")
    return files


def _toml_files(root: str) -> list[str]:
    """Every `*.toml` under `root` (`Acme.TOML` too: a price file skipped for its name's case
    would be silently ignored), sorted as `Path`s sort, found as `Path.rglob("*")` finds them
    (links to folders not followed) with `os.scandir`: rglob cost a one-shot 3 ms of its 80.
    A folder that cannot be read is an error naming it, never a silently shorter catalog."""
    found, folders = [], [root]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as entries:
                listed = list(entries)
        except PermissionError as exc:
            from llmcost.files import os_error

            raise os_error(exc, folder) from None
        except (FileNotFoundError, NotADirectoryError):  # gone or changed meanwhile
            continue
        for entry in listed:
            name = entry.name
            if len(name) > 5 and name[-5:].lower() == ".toml":  # Path.suffix: not ".toml" alone
                found.append(entry.path)
            try:
                if entry.is_dir() and not entry.is_symlink():
                    folders.append(entry.path)
            except OSError:  # a link loop: not a folder to walk, as rglob has it
                pass
    return sorted(found, key=lambda path: path.split(os.sep))


def update_layers(root: Path) -> list[tuple[str, list[Path]]]:
    """The layers `catalog update` stored: one per fetch, `root/<YYYY-MM-DD>[-N]/`, oldest
    first."""
    if not root.is_dir():
        return []
    days = sorted((d for d in root.iterdir() if d.is_dir() and d.name[:4].isdigit()), key=_fetch)
    return [(f"update {d.name}", sorted(d.rglob("*.toml"))) for d in days]


def _fetch(directory: Path) -> tuple[str, int]:
    """`2026-12-06-10` after `2026-12-06-2`: the day, then the fetch's number within it."""
    day, number = directory.name[:10], directory.name[11:]
    return (day, int(number) if number.isdigit() else 1)


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
            exc, raw, str(file), lines, schema="docs/catalog.md (Price files)", error=CatalogError
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
# from a pickle of the built `Catalog` instead (`Catalog.cache_state`: its indexes, and each
# offering pickled apart, read when first used). Any edit changes the hash and re-validates.
# LLMCOST_NO_CACHE=1 turns the cache off.


def _cache_key(layers: list[tuple[str, list[Path]]]) -> str:
    """The layers' names, the files' paths, sizes, inodes and modification times (to the
    nanosecond), and the validating code: an edit changes the mtime. The files are not read
    for it (the market catalog's 3 MB cost a one-shot command 15 ms); a file rewritten with
    its size and nanosecond mtime restored would be missed: LLMCOST_NO_CACHE=1 reads afresh."""
    # the code that validates is part of the key: a new rule re-validates cached catalogs
    here = Path(__file__).resolve().parent
    parts = [__version__]
    for code in ("schema.py", "entities.py", "load.py", "lookup.py"):
        parts.append(f"{code}:{(here / code).stat().st_mtime_ns}")
    # each folder resolved once: resolving each of the market catalog's hundred files cost a
    # one-shot command 15 ms (a file that is a link is keyed by its content, size and mtime);
    # the key is text, joined without pathlib (its `/` cost another 5 ms)
    folders: dict[Path, str] = {}
    for layer, files in layers:
        parts.append(f"layer {layer}")
        for file in files:
            stat = _stat(file)
            folder = folders.get(file.parent)
            if folder is None:
                folder = folders[file.parent] = str(file.parent.resolve())
            parts.append(
                f"{folder}{os.sep}{file.name}:{stat.st_size}:{stat.st_ino}:{stat.st_mtime_ns}"
            )
    return f"{zlib.crc32('|'.join(parts).encode()):08x}{zlib.adler32(''.join(parts).encode()):08x}"


def _stat(file: Path) -> os.stat_result:
    try:
        return os.stat(file)
    except OSError as exc:
        from llmcost.files import os_error

        raise os_error(exc, str(file)) from None


def _cache_dir() -> Path | None:
    if os.environ.get("LLMCOST_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "llmcost"


def _cached(key: str) -> Catalog | None:
    directory = _cache_dir()
    if directory is None:
        return None
    try:
        data = (directory / f"catalog-{key}.pickle").read_bytes()
        return Catalog.from_cache_state(data)
    except Exception:  # missing, unreadable or stale: validate afresh
        return None


def _store(key: str, catalog: Catalog) -> None:
    directory = _cache_dir()
    if directory is None:
        return
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tmp = directory / f".catalog-{key}.{os.getpid()}.tmp"
        with tmp.open("wb") as handle:
            handle.write(catalog.cache_state())
        os.replace(tmp, directory / f"catalog-{key}.pickle")
    except OSError:
        pass  # a read-only home only costs speed


def validate_catalog(layers) -> Catalog:
    """The rules from DESIGN.md that no single field can check, over all layers (a plain
    list of files is one layer); the catalog they make, once valid."""
    if layers and not isinstance(layers[0][0], str):
        layers = [(SHIPPED, layers)]
    canonical = canonical_providers(layers)
    layers = [
        (name, [(file, _as_canonical(p, canonical, number)) for file, p in files])
        for number, (name, files) in enumerate(layers)
    ]
    defined: dict[str, tuple[Path, str]] = {}  # offering key -> file and layer defining it
    owners: dict[str, str] = {}  # offering key -> the provider selling it
    named: dict[tuple[str, str], tuple[str, Path]] = {}  # (provider, folded name) -> key, file
    providers = _provider_spellings(layers)
    for layer, files in layers:
        for file, provider in files:
            _check_file(layer, file, provider, layers)
            for model in provider.models:
                key = offering_key(provider.provider, model)
                where = f"{file}: model {key!r}"
                if key in defined:
                    _check_owner(where, key, provider.provider, owners[key], defined[key][0])
                    _check_extension(where, model, defined[key], layer)
                else:
                    _check_new(where, model, provider)
                    defined[key] = (file, layer)
                    owners[key] = provider.provider
                _check_names(where, key, provider.provider, model, named, file, providers)
                _check_entries(where, model, provider)
    return _check_references(layers)


def _as_canonical(provider: Provider, canonical: dict, number: int) -> Provider:
    if provider.provider is None:
        return provider
    return provider._replace(provider=canonical[number, provider.provider])


def _provider_spellings(layers) -> dict[str, str]:
    """Every folded provider id and alias, with the provider it names; one spelling naming
    two providers (an alias that is another provider's id) is an error."""
    spellings: dict[str, tuple[str, Path]] = {}
    for _, files in layers:
        for file, provider in files:
            if provider.provider is None:
                continue
            for name in (provider.provider, *provider.aliases):
                taken = spellings.setdefault(fold(name), (provider.provider, file))
                if taken[0] != provider.provider:
                    raise CatalogError(
                        f"aliases: {name!r} already names provider {taken[0]!r} in {taken[1]}",
                        where=str(file),
                        hint="one provider per spelling: merge the two, or drop the alias",
                    )
    return {name: pid for name, (pid, _) in spellings.items()}


def _check_file(layer: str, file: Path, provider: Provider, layers) -> None:
    shipped = layer == layers[0][0]
    if provider.provider is None and provider.models:
        raise CatalogError("provider: required where a file has [[models]]", where=str(file))
    if shipped and (provider.provider is None or provider.name is None or not provider.models):
        missing = (
            "provider" if provider.provider is None else "name" if not provider.name else "models"
        )
        raise CatalogError(
            f"{missing}: required in a catalog file",
            where=str(file),
            hint="an overlay (--pricing) may give only discounts or added prices",
        )
    for index, discount in enumerate(provider.discounts):
        for key in discount.source:
            if key not in provider.sources:
                raise CatalogError(
                    f"discounts[{index}].source: {key!r} is not in this file's [sources]",
                    where=str(file),
                    hint="add it under [sources] with a title",
                )


NEW_OFFERING = ("name", "released", "context_window", "max_output")


def _check_new(where: str, model, provider: Provider) -> None:
    for field in NEW_OFFERING:
        if getattr(model, field) is None:
            raise CatalogError(f"{field}: required for a new offering", where=where)
    if not model.prices:
        raise CatalogError("prices: a new offering needs at least one price", where=where)
    if model.successor is not None and model.retired is None:
        raise CatalogError("successor: given without a retired instant", where=where)
    released = model.released
    if not any(e.contains(released) for e in model.prices):
        raise CatalogError(
            f"released: no price entry is valid at the release ({released.isoformat()})",
            where=where,
        )


def _check_owner(where: str, key: str, provider: str, owner: str, file: Path) -> None:
    """A layer above adds to an offering under its own provider: a maker's bare id under
    another provider would take the offering over (`alpha/alpha-flash` no longer found)."""
    if provider != owner:
        raise CatalogError(
            f"id: {key!r} is {owner}'s offering (defined in {file}), not {provider}'s",
            where=where,
            hint=f'to add prices to it, put them under provider = "{owner}"; for '
            f'{provider}\'s own offering of the model, say maker = "{owner}"',
        )


def _check_extension(where: str, model, first: tuple[Path, str], layer: str) -> None:
    """A layer above may add prices and names to an offering, nothing else; within one
    layer an offering is defined once."""
    file, first_layer = first
    if first_layer == layer:
        raise CatalogError(
            f"id: {model.id!r} is already defined in {file}",
            where=where,
            hint="a later price is a new entry under the same model, not a new model",
        )
    # `maker` is part of the offering's key (`provider/id`), so an extension repeats it
    given = [f for f in (*NEW_OFFERING, "model", "retired", "successor", "note")
             if getattr(model, f) is not None]  # fmt: skip
    if given:
        raise CatalogError(
            f"{given[0]}: {model.id!r} is defined in {file}; a layer above adds prices and "
            "aliases only",
            where=where,
        )


def _check_names(where, key, provider_id, model, named, file, providers) -> None:
    """A name (id or alias, folded) names one offering within a provider (across providers
    a bare name two makers' offerings share is ambiguous: `Catalog.resolve` lists them); a
    maker's offering names nothing under another provider's prefix (the other provider's). A host's
    ids often start with the maker (`deepseek/deepseek-v4-pro` at OpenRouter): reached as
    `openrouter/deepseek/deepseek-v4-pro`."""
    first_party = model.maker is None or model.maker == provider_id
    for name in (model.id, *model.aliases):
        folded = fold(name)
        head, _, rest = folded.partition("/")
        if first_party and rest and providers.get(head, provider_id) != provider_id:
            other = named.get((providers[head], rest)) or named.get(("", rest))
            taken = f" ({other[0]!r} in {other[1]})" if other else ""
            raise CatalogError(
                f"aliases: {name!r} names an offering of {providers[head]}{taken}",
                where=where,
                hint="a provider prefix names that provider's offering",
            )
        other = named.get((provider_id, folded))
        if other is not None and other[0] != key:
            raise CatalogError(
                f"aliases: {name!r} also names {other[0]!r} in {other[1]}",
                where=where,
                hint="a name names one offering of a provider",
            )
        named[(provider_id, folded)] = (key, file)
        if first_party:
            named.setdefault(("", folded), (key, file))


def _check_references(layers) -> Catalog:
    """Successors and discounts name what the catalog has; the catalog itself."""
    try:
        catalog = Catalog(layers)
    except LlmcostError:  # a discount's offering it cannot find: said with its file
        _check_discount_offerings(layers)
        raise
    for _, files in layers:
        for file, provider in files:
            for model in provider.models:
                if model.successor is not None:
                    try:
                        catalog.resolve(model.successor)
                    except LlmcostError:
                        raise CatalogError(
                            f"successor: unknown model {model.successor!r}",
                            where=f"{file}: model {offering_key(provider.provider, model)!r}",
                        ) from None
            for index, discount in enumerate(provider.discounts):
                _check_discount(catalog, f"{file}: discounts[{index}]", discount)
    return catalog


def _check_discount_offerings(layers) -> None:
    """`Catalog` resolves each discount's `offering` as it is built; where one names nothing,
    the error names the file and discount, looked up in the catalog without discounts."""
    bare = [(name, [(f, p._replace(discounts=())) for f, p in files]) for name, files in layers]
    catalog = Catalog(bare)
    for _, files in layers:
        for file, provider in files:
            for index, discount in enumerate(provider.discounts):
                if discount.offering is not None:
                    try:
                        catalog.resolve(discount.offering)
                    except LlmcostError as exc:
                        raise CatalogError(
                            f"offering: {exc.message}",
                            where=f"{file}: discounts[{index}]",
                            hint=exc.hint,
                        ) from None


def _check_discount(catalog: Catalog, where: str, discount) -> None:
    if discount.provider is not None and catalog.provider_id(discount.provider) is None:
        raise CatalogError(f"provider: unknown provider {discount.provider!r}", where=where)
    if discount.model is not None:
        models = {fold(i.model.model or i.key) for i in catalog.models()}
        if fold(discount.model) not in models:
            raise CatalogError(
                f"model: unknown model {discount.model!r}",
                where=where,
                hint="a model by its maker's id; name one offering with offering = ...",
            )
    if discount.offering is not None:
        try:
            catalog.resolve(discount.offering)
        except LlmcostError as exc:
            raise CatalogError(f"offering: {exc.message}", where=where, hint=exc.hint) from None
    if discount.tiers:
        _check_discount_tiers(catalog, where, discount)


def _check_discount_tiers(catalog: Catalog, where: str, discount) -> None:
    """A discount's tiers are tiers its offerings have: `tiers = ["flex"]` on offerings
    with no flex price would take nothing off, silently."""
    offered = {
        tier
        for info in catalog.models()
        if catalog._discount_rank(discount, info)
        for entry in catalog.entries(info.key)
        for tier in entry.service_tiers
    }
    for tier in discount.tiers:
        if tier not in offered:
            raise CatalogError(
                f"tiers: no offering it names has a {tier!r} tier",
                where=where,
                hint="the tiers there: " + ", ".join(sorted(offered)),
            )


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


def _overlap(a, b) -> bool:
    a_end = a.valid_until
    b_end = b.valid_until
    return (b_end is None or a.valid_from < b_end) and (a_end is None or b.valid_from < a_end)
