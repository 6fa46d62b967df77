"""TOML files written by people (price sheets, mix files, budgets): reading them, and pointing
every error at its file, line and field.

tomllib gives no line numbers for keys, so `SourceLines` finds the line of a key or table
header in the text itself.
"""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

from llmcost.errors import InputError, LlmcostError

# -- where a key is -------------------------------------------------------------------------

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\- ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+(?:\s*\.\s*[A-Za-z0-9_\-]+)*)\s*=\s*(.*)$")


class SourceLines:
    """Line numbers of keys and tables in a TOML text, by pydantic-style location
    (`("workloads", 1, "model")`). Understands `[table]`, `[[array.of.tables]]`, `key = `
    lines and multi-line arrays of inline tables one per line (as tomli-w writes them)."""

    def __init__(self, text: str):
        self.lines: dict[tuple, int] = {}
        table: tuple = ()
        counts: dict[tuple, int] = {}
        array: tuple | None = None
        index = 0
        for number, line in enumerate(text.splitlines(), start=1):
            stripped = line.strip()
            if array is not None:
                if stripped.startswith("]"):
                    array = None
                elif stripped.startswith("{"):
                    self._record((*array, index), number)
                    for key in re.findall(r"[{,]\s*([A-Za-z0-9_\-]+)\s*=", stripped):
                        self._record((*array, index, key), number)
                    index += 1
                continue
            header = _HEADER.match(line)
            if header:
                table = self._header(header.group(1) == "[[", header.group(2), table, counts)
                self._record(table, number)
                continue
            key = _KEY.match(line)
            if key:
                path = (*table, *(p.strip() for p in key.group(1).split(".")))
                self._record(path, number)
                if key.group(2).strip() == "[":
                    array, index = path, 0

    @staticmethod
    def _header(is_array: bool, name: str, table: tuple, counts: dict) -> tuple:
        parts = [p.strip() for p in name.split(".")]
        # a nested array (`[[workloads.slices]]`) belongs to the current element of its parent
        path: tuple = ()
        for part in parts[:-1]:
            path = (*path, part)
            current = table[: len(path) + 1]
            if len(current) > len(path) and isinstance(current[-1], int):
                path = current
        path = (*path, parts[-1])
        if not is_array:
            return path
        counts[path] = counts.get(path, -1) + 1
        return (*path, counts[path])

    def _record(self, path: tuple, number: int) -> None:
        self.lines.setdefault(path, number)

    def line(self, loc: tuple | list) -> int | None:
        """The line of `loc`, else of its nearest enclosing key or table that has one."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return None


def field_name(loc: tuple | list) -> str:
    """`("workloads", 1, "model")` as `workloads[1].model`."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def where(file: str, line: int | None) -> str:
    return f"{file}:{line}" if line is not None else file


def read_toml(
    path: str | Path, *, error: type[LlmcostError] = InputError
) -> tuple[dict[str, Any], SourceLines]:
    """A TOML file (floats as exact Decimals) and its key lines; an unreadable, oversized,
    non-regular or malformed file raises `error` naming the file and line."""
    from llmcost.files import read_bounded

    return parse_toml(read_bounded(path, error=error), str(path), error=error)


def parse_toml(
    data: bytes, file: str, *, error: type[LlmcostError] = InputError
) -> tuple[dict[str, Any], SourceLines]:
    """`read_toml` for bytes already read."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise error("not UTF-8 text", where=file) from None
    try:
        raw = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or _line_in_message(str(exc))
        message = getattr(exc, "msg", None) or str(exc)
        bom = text[:1] == "\ufeff"
        hint = "remove the byte-order mark (save as UTF-8 without BOM)" if bom else None
        raise error(f"invalid TOML: {message}", where=where(file, line), hint=hint) from None
    except (RecursionError, ValueError) as exc:  # tomllib's own limits, not the file's syntax
        raise error(f"invalid TOML: {_beyond_limits(exc)}", where=file) from None
    return raw, SourceLines(text)


def _beyond_limits(exc: Exception) -> str:
    """What tomllib could not hold: arrays or tables nested past Python's recursion limit, or
    an integer past Python's 4,300 digits (a price file has neither)."""
    if isinstance(exc, RecursionError):
        return "arrays or tables nested too deeply"
    return "a number too long to read"


def schema_error(
    exc: Any,
    raw: dict[str, Any],
    file: str,
    lines: SourceLines,
    *,
    schema: str,
    error: type[LlmcostError] = InputError,
) -> LlmcostError:
    """pydantic's first error as one line: `file:line: slices[0].input: message`. `schema`
    names where the keys are documented (for unknown-key hints)."""
    first = exc.errors()[0]
    loc = _present(tuple(first["loc"]), raw)
    message = first["msg"].removeprefix("Value error, ")
    hint = None
    if first["type"] == "extra_forbidden":
        message, hint = "unknown key (check its spelling)", f"the keys are in {schema}"
    elif first["type"] == "missing":
        message = "required"
    return error(
        f"{field_name(loc) or 'file'}: {message}", where=where(file, lines.line(loc)), hint=hint
    )


def _present(loc: tuple, raw: Any) -> tuple:
    """`loc` cut where it leaves the document: pydantic appends type tags (`.decimal`,
    `.function-after[...]`) that no user wrote. A missing or unknown key is kept, last."""
    kept: list = []
    node = raw
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str):
            kept.append(part)
            if part not in node:
                break
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            kept.append(part)
            node = node[part]
        else:
            break
    return tuple(kept)


def _line_in_message(message: str) -> int | None:
    found = re.search(r"line (\d+)", message)
    return int(found.group(1)) if found else None
