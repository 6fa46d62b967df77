"""Forgiving names: case, '.' vs '-', '_' and spaces do not distinguish models or providers."""

from __future__ import annotations


def fold(name: str) -> str:
    """`OpenRouter/DeepSeek/DeepSeek-V4.Pro` -> `openrouter/deepseek/deepseek-v4-pro`: the name
    as offerings are looked up by (path parts kept, each trimmed)."""
    parts = name.strip().lower().split("/")
    folded = []
    for part in parts:
        part = part.strip()
        for sep in (".", "_", " "):
            part = part.replace(sep, "-")
        folded.append(part)
    return "/".join(folded)


# How many leading path parts a name may carry that are no provider's (`models/`, a gateway
# llmcost does not know): `Catalog.resolve` passes over at most this many, never an empty one
# (`openrouter//x` is a typo, not a prefix), and `bill`'s SQL joins one table per part.
MAX_UNKNOWN_PREFIXES = 2

# Words logs and users write for the standard tier (OpenAI's `default` and `auto`).
STANDARD_WORDS = ("standard", "default", "auto", "on_demand", "on-demand")


def tier_name(text: str, *, field: str = "--tier") -> str:
    """A service tier as catalogs name it: `Flex` -> `flex`, `default` -> `standard`."""
    import re

    from llmcost.errors import InputError

    word = text.strip().lower() if isinstance(text, str) else ""
    if word in STANDARD_WORDS:
        return "standard"
    if not re.fullmatch(r"[a-z][a-z0-9_-]*", word):
        raise InputError(
            f"{field}: {text!r} is not a service tier name",
            hint="e.g. standard, batch, flex, priority",
        )
    return word
