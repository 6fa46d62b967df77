"""What a user sets once: `$XDG_CONFIG_HOME/llmcost/config.toml` (default
`~/.config/llmcost/config.toml`), and the overlays under `$XDG_CONFIG_HOME/llmcost/pricing/`.

    currency = "EUR"                 # the default --currency
    tier = "batch"                   # the default service tier (--tier)
    timezone = "Europe/Berlin"       # instants in tables and messages (JSON stays UTC)
    pricing = ["~/prices/acme.toml"] # overlays, lowest first (relative to this folder)

Flags beat the environment (`LLMCOST_CURRENCY`, `LLMCOST_TIER`, `LLMCOST_TIMEZONE`,
`LLMCOST_PRICING` with paths separated by `os.pathsep`), which beats this file. Overlays all
apply, lowest first: every `*.toml` under the config folder's `pricing/`, the file's
`pricing`, `LLMCOST_PRICING`, then each `--pricing`; a higher one wins a tie.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from llmcost.errors import InputError


@dataclass(frozen=True)
class Settings:
    currency: str | None = None
    tier: str | None = None
    timezone: str | None = None
    pricing: tuple[Path, ...] = ()  # from the config folder and file, lowest first


def config_dir(environ: Mapping[str, str] = os.environ) -> Path:
    base = environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "llmcost"


def updates_root(environ: Mapping[str, str] = os.environ) -> Path:
    """Where update layers live: `$XDG_DATA_HOME/llmcost/updates`, by default under
    `~/.local/share` (data the user fetched, not a cache: deleting it changes answers)."""
    base = environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local/share")
    return Path(base) / "llmcost" / "updates"


def load_settings(environ: Mapping[str, str] = os.environ) -> Settings:
    """The config file's settings and overlays, the environment's over them (flags are the
    caller's to apply last)."""
    folder = config_dir(environ)
    file = folder / "config.toml"
    from_file = _read(file) if _present(file) else {}
    overlays = [folder / "pricing"] if _present(folder / "pricing") else []
    for entry in from_file.get("pricing", ()):
        overlays.append(folder / _expanded(entry, where=f"{file}: pricing"))
    env = {k: environ.get(f"LLMCOST_{k.upper()}") for k in ("currency", "tier", "timezone")}
    values = {k: env[k] if env[k] else from_file.get(k) for k in env}
    settings = Settings(**values, pricing=tuple(overlays))
    if settings.timezone is not None:
        zone(
            settings.timezone, where="LLMCOST_TIMEZONE" if env["timezone"] else f"{file}: timezone"
        )
    return settings


def _present(path: Path) -> bool:
    """Whether anything is at `path`. A link to nothing, a link loop or a pipe is there:
    reading it says what is wrong, where `exists()` would skip the user's settings silently."""
    return os.path.lexists(path)


def _read(file: Path) -> dict:
    from pydantic import ValidationError

    from llmcost.tomlfile import read_toml, schema_error

    raw, lines = read_toml(file)
    try:
        return _config_model().model_validate(raw).model_dump(exclude_none=True)
    except ValidationError as exc:
        raise schema_error(exc, raw, str(file), lines, schema="the config file") from None


def _config_model():
    """The config file's schema, built only where there is a file to check."""
    from typing import Annotated

    from pydantic import BaseModel, ConfigDict, Field

    class _ConfigFile(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True)
        currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
        tier: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_-]*$")
        timezone: str | None = Field(default=None, min_length=1)
        pricing: list[Annotated[str, Field(pattern=r"\S")]] = Field(default_factory=list)

    return _ConfigFile


def env_overlays(environ: Mapping[str, str] = os.environ) -> list[Path]:
    """`LLMCOST_PRICING`: paths separated by `os.pathsep` (empty parts skipped)."""
    text = environ.get("LLMCOST_PRICING", "")
    parts = text.split(os.pathsep)
    return [_expanded(p, where="LLMCOST_PRICING") for p in parts if p.strip()]


def overlays(flags: Sequence[str], settings: Settings, environ=os.environ) -> list[Path]:
    """Every overlay, lowest first: config folder and file, environment, flags. Each must
    exist: a missing overlay is a mistake, not an empty layer."""
    if any(not flag.strip() for flag in flags):  # Path("") is the current directory
        raise InputError("--pricing: an empty path", hint="an overlay is a price file or a folder")
    given = [_expanded(f, where="--pricing") for f in flags]
    paths = [*settings.pricing, *env_overlays(environ), *given]
    for path in paths:
        if not _present(path):  # a link loop is there, and reading it says so
            raise InputError(
                f"--pricing: no such file or directory {str(path)!r}",
                hint="an overlay is a price file or a folder of them",
            )
    return paths


def _expanded(text: str, *, where: str) -> Path:
    """A path with `~` or `~user` expanded; a user who does not exist is bad input (pathlib
    raises RuntimeError for it)."""
    try:
        return Path(text).expanduser()
    except RuntimeError:
        raise InputError(
            f"{text!r}: no such user's home directory", where=where, hint="check the ~user"
        ) from None


def zone(name: str, *, where: str | None = None):
    """An IANA time zone by name, or bad input."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(
            f"{name!r} is not a time zone",
            where=where or "timezone",
            hint="e.g. Europe/Berlin or UTC",
        ) from None
