"""An import laid over a catalog that already exists (the shipped one, or updates below it).

A higher layer may only add prices and names to an offering a lower one defines, and an
imported price is undated (valid from long ago, published on the import day): laid over a
curated offering it would win at every instant, hiding the curated history. So the rule is:
an offering the lower catalog already defines (same key, or an imported id that is already one
of that provider's names) keeps its curated prices, and the import only adds its names (as an
alias-only extension). Those offerings are listed in `unmapped` with the reason, as is every
name that already names another offering of the same provider.
"""

from __future__ import annotations

from llmcost.catalog.importers import Imported
from llmcost.catalog.lookup import Catalog, names_of
from llmcost.catalog.names import fold

KEPT = "defined by a lower catalog layer: its prices there are kept, only names are added"


def over(imported: Imported, lower: Catalog) -> Imported:
    """`imported` as an overlay that loads over `lower`."""
    imported = _onto_providers(imported, lower)
    names: dict[tuple[str, str], str] = {}  # (provider, folded name) -> lower offering key
    ids: dict[str, tuple[str, str]] = {}  # lower offering key -> (provider, model id)
    for info in lower.models():
        ids[info.key] = (info.provider, info.model.id)
        for name in names_of(info):
            names.setdefault((info.provider, fold(name)), info.key)
    unmapped = list(imported.unmapped)
    moved: dict[str, str] = {}  # imported offering key -> the lower offering it became a name of
    files = {}
    for written, doc in imported.files.items():
        provider = lower.provider_id(written) or written  # `xai` is `x-ai` where that says so
        models = []
        extensions: dict[str, dict] = {}  # lower offering key -> its extension in this file
        for model in doc.get("models", []):
            key = _key(provider, model)
            lower_key = key if key in ids else names.get((provider, fold(model["id"])))
            if lower_key is not None and (
                ids[lower_key][0] != provider or lower_key != ids[lower_key][1]
            ):  # an overlay can extend only a maker's own offering (no maker, bare key)
                unmapped.append((key, f"{lower_key} is an offering below this layer cannot extend"))
                continue
            if lower_key is not None:
                unmapped.append((key, KEPT))
                moved[key] = lower_key
                extension = extensions.get(lower_key)
                if extension is None:
                    extension = extensions[lower_key] = {"id": ids[lower_key][1], "aliases": []}
                    models.append(extension)
                names_given = [model["id"], *model.get("aliases", [])]
                extension["aliases"] += _fresh(provider, names_given, lower_key, names, unmapped)
                continue
            fresh = _fresh(provider, model.get("aliases", []), key, names, unmapped)
            model = {**model, "aliases": fresh} if fresh else _without(model, "aliases")
            models.append(model)
        for extension in extensions.values():
            if not extension["aliases"]:
                del extension["aliases"]
        files[written] = {**doc, "models": models}
    for doc in files.values():
        for model in doc["models"]:
            if model.get("successor") in moved:
                model["successor"] = moved[model["successor"]]
    return Imported(files=files, unmapped=unmapped)


def _key(provider: str, model: dict) -> str:
    maker = model.get("maker")
    return model["id"] if maker is None or maker == provider else f"{provider}/{model['id']}"


def _fresh(provider, aliases, key, names, unmapped) -> list[str]:
    """The aliases that do not already name another offering of `provider` below."""
    fresh = []
    for alias in aliases:
        taken = names.get((provider, fold(alias)))
        if taken is None:
            fresh.append(alias)
            names[(provider, fold(alias))] = key
        elif taken != key:
            unmapped.append((alias, f"name already taken by {taken} below"))
    return fresh


def _without(model: dict, field: str) -> dict:
    return {k: v for k, v in model.items() if k != field}


def _onto_providers(imported: Imported, lower: Catalog) -> Imported:
    """An imported provider that `lower` spells otherwise (LiteLLM's `xai` is the shipped
    market's `x-ai`, `bedrock` its `aws`) becomes that provider, so that its offerings join
    or extend the lower one's instead of a second provider claiming the same prefix."""
    files: dict[str, dict] = {}
    for pid, doc in imported.files.items():
        target = lower.provider_id(pid) or next(
            (lower.provider_id(a) for a in doc.get("aliases", []) if lower.provider_id(a)), pid
        )
        if target != pid:
            models = [_maker_at(m, target, lower) for m in doc.get("models", [])]
            doc = {**doc, "provider": target, "models": models}
            aliases = [a for a in doc.get("aliases", []) if lower.provider_id(a) is None]
            doc = {**doc, "aliases": aliases} if aliases else _without(doc, "aliases")
        merged = files.get(target)
        if merged is None:
            files[target] = doc
        else:
            merged["models"] = [*merged.get("models", []), *doc.get("models", [])]
            merged["sources"] = {**merged.get("sources", {}), **doc.get("sources", {})}
    return Imported(files=files, unmapped=list(imported.unmapped))


def _maker_at(model: dict, provider: str, lower: Catalog) -> dict:
    """The model with its maker spelt as `lower` spells it; none where that is `provider`."""
    maker = model.get("maker")
    if maker is None:
        return model
    spelt = lower.provider_id(maker) or maker
    return _without(model, "maker") if spelt == provider else {**model, "maker": spelt}
