"""Forgiving model names: case, '.' vs '-', and provider prefixes all find the model."""

from __future__ import annotations


def normalize(name: str) -> str:
    """`OpenRouter/DeepSeek/DeepSeek-V4.Pro` -> `deepseek-v4-pro`.

    The last path segment is the model (gateways prefix a provider, Gemini's API says
    `models/...`); case, dots, underscores and spaces do not distinguish models.
    """
    tail = name.strip().rsplit("/", 1)[-1].strip().lower()
    for sep in (".", "_", " "):
        tail = tail.replace(sep, "-")
    return tail
