"""The usage shapes `llmcost bill` reads, as SQL over one parsed record.

Every provider's fields are listed once (`COUNT_FIELDS`); `normalized_columns` turns them
into the canonical counts the engine prices: `input` is the whole prompt, `cached` and the
cache writes are parts of it, `output` includes reasoning. A line's shape is detected from
which fields it carries:

- Gemini: `usageMetadata` (`promptTokenCount` includes `cachedContentTokenCount`;
  `toolUsePromptTokenCount` is more input; `thoughtsTokenCount` is output besides
  `candidatesTokenCount`).
- DeepSeek: `usage.prompt_cache_hit_tokens` / `prompt_cache_miss_tokens` (they sum to
  `prompt_tokens`).
- Anthropic: `usage.cache_read_input_tokens`, `cache_creation_input_tokens` or
  `cache_creation` (`input_tokens` excludes both; the TTL split is in `cache_creation`).
- OpenAI Chat: `usage.prompt_tokens` (includes `prompt_tokens_details.cached_tokens`).
- OpenAI Responses: `usage.input_tokens` (includes `input_tokens_details.cached_tokens`). An
  Anthropic body without cache fields reads the same, so either way it is priced right.
- Canonical: top-level `input`, `cached`, `cache_write`, `cache_write_1h`, `output`.

A count a shape must carry (`REQUIRED`) that a record lacks (a misspelt key, a null) is a
rejection, never 0; counts that contradict each other (`AGREE`: a total that is not the sum of
its parts, reasoning above the output it is part of) are a rejection, never priced either way.
"""

from __future__ import annotations

import json

from llmcost.kinds import TOKEN_KINDS as CANONICAL

# Token-count fields, as JSON paths. Each becomes a column named by `column()`.
COUNT_FIELDS = (
    *CANONICAL,
    "usage.prompt_tokens",
    "usage.completion_tokens",
    "usage.prompt_tokens_details.cached_tokens",
    "usage.prompt_tokens_details.cache_write_tokens",
    "usage.input_tokens",
    "usage.output_tokens",
    "usage.input_tokens_details.cached_tokens",
    "usage.input_tokens_details.cache_write_tokens",
    "usage.cache_read_input_tokens",
    "usage.cache_creation_input_tokens",
    "usage.cache_creation.ephemeral_5m_input_tokens",
    "usage.cache_creation.ephemeral_1h_input_tokens",
    "usage.prompt_cache_hit_tokens",
    "usage.prompt_cache_miss_tokens",
    "usageMetadata.promptTokenCount",
    "usageMetadata.cachedContentTokenCount",
    "usageMetadata.candidatesTokenCount",
    "usageMetadata.thoughtsTokenCount",
    "usageMetadata.toolUsePromptTokenCount",
    # read only to check the counts above against each other (`count_issue`)
    "usage.total_tokens",
    "usage.completion_tokens_details.reasoning_tokens",
    "usage.output_tokens_details.reasoning_tokens",
    "usageMetadata.totalTokenCount",
)
# `modelVersion`: a Gemini response body names its model there, not in `model`; `id` (Gemini:
# `responseId`) is the provider's id of the response, by which a response logged twice is found;
# `service_tier` (OpenAI) and `usage.service_tier` (Anthropic): the tier a record was billed in
OTHER_FIELDS = (
    "model",
    "modelVersion",
    "timestamp",
    "created",
    "created_at",
    "batch",
    "id",
    "responseId",
    "service_tier",
    "usage.service_tier",
)


def column(path: str) -> str:
    """The SQL column holding a field's text: `usage.prompt_tokens` -> `f_usage__prompt_tokens`."""
    return "f_" + "".join(ch if ch.isalnum() else "_" for ch in path.replace(".", "__"))


def json_structure(extra: tuple[str, ...] = ()) -> str:
    """The `json_transform` structure that parses every field a line may carry, once. Each
    leaf is VARCHAR, the field's text: a string unquoted, a number or a literal as written
    (yyjson's form), an object or array as compact JSON, NULL when absent or null."""
    tree: dict = {}
    for path in (*OTHER_FIELDS, *COUNT_FIELDS, *extra):
        node = tree
        *parents, name = path.split(".")
        for part in parents:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):  # a group key that is also a parent: keep both
                child = node[part] = {}
            node = child
        node.setdefault(name, "VARCHAR")
    return json.dumps(tree)


def json_ref(path: str) -> str:
    """SQL: a field of the parsed record `j` (`json_structure` with VARCHAR leaves)."""
    return "j" + "".join(f'."{part}"' for part in path.split("."))


def value(path: str) -> str:
    """The SQL column holding a count field's value (`count_values`)."""
    return "v_" + column(path)[2:]


def _z(path: str) -> str:
    return f"coalesce({value(path)}, 0)"


def count_values() -> str:
    """SQL select-list: each count as BIGINT: NULL when absent, -1 when not a whole number of
    at most 18 digits (so one `least` over them all finds a malformed one)."""
    return ",\n".join(
        f"CASE WHEN regexp_full_match({column(p)}, '[0-9]{{1,18}}') THEN {column(p)}::BIGINT "
        f"WHEN {column(p)} IS NOT NULL THEN -1 END AS {value(p)}"
        for p in COUNT_FIELDS
    )


def any_bad_count() -> str:
    """SQL: whether any count field is present but malformed (`count_values`)."""
    return f"coalesce(least({', '.join(value(p) for p in COUNT_FIELDS)}) < 0, false)"


def bad_count_reason() -> str:
    """SQL: the first count field that is present but not a non-negative whole number."""
    arms = " ".join(
        f"WHEN {value(p)} < 0 THEN '{p}: ' || {column(p)} || "
        "' is not a non-negative whole number of at most 18 digits'"
        for p in COUNT_FIELDS
    )
    return f"CASE {arms} END"


# Shapes by number (cheaper to compare than names), in the order they are detected.
SHAPES = ("gemini", "deepseek", "anthropic", "openai-chat", "openai-responses", "canonical")
GEMINI, DEEPSEEK, ANTHROPIC, OPENAI_CHAT, OPENAI_RESPONSES, CANONICAL_SHAPE = range(6)

SHAPE = f"""CASE
  WHEN {" OR ".join(column(p) + " IS NOT NULL" for p in COUNT_FIELDS if p.startswith("usageM"))}
    THEN {GEMINI}
  WHEN {column("usage.prompt_cache_hit_tokens")} IS NOT NULL
    OR {column("usage.prompt_cache_miss_tokens")} IS NOT NULL THEN {DEEPSEEK}
  WHEN {column("usage.cache_read_input_tokens")} IS NOT NULL
    OR {column("usage.cache_creation_input_tokens")} IS NOT NULL
    OR {column("usage.cache_creation.ephemeral_5m_input_tokens")} IS NOT NULL
    OR {column("usage.cache_creation.ephemeral_1h_input_tokens")} IS NOT NULL THEN {ANTHROPIC}
  WHEN {column("usage.prompt_tokens")} IS NOT NULL THEN {OPENAI_CHAT}
  WHEN {column("usage.input_tokens")} IS NOT NULL THEN {OPENAI_RESPONSES}
  WHEN {column("input")} IS NOT NULL THEN {CANONICAL_SHAPE}
END"""


def ambiguous() -> str:
    """SQL: the record has top-level canonical counts and also a provider's usage field (any:
    `usage.completion_tokens` alone is enough), so neither may win silently. The provider
    fields are looked at only when canonical ones are present."""
    canonical = " OR ".join(f"{column(c)} IS NOT NULL" for c in CANONICAL)
    provider = " OR ".join(f"{column(p)} IS NOT NULL" for p in COUNT_FIELDS if p not in CANONICAL)
    return f"CASE WHEN {canonical} THEN {provider} ELSE false END"


def _anthropic_writes() -> str:
    split = (
        f"{_z('usage.cache_creation.ephemeral_5m_input_tokens')} + "
        f"{_z('usage.cache_creation.ephemeral_1h_input_tokens')}"
    )
    return f"coalesce({value('usage.cache_creation_input_tokens')}, {split})"


def normalized_columns() -> str:
    """SQL select-list over `count_values()` and `shape`: the canonical counts."""
    writes = _anthropic_writes()
    hit, miss = _z("usage.prompt_cache_hit_tokens"), _z("usage.prompt_cache_miss_tokens")
    return f"""
CASE shape
  WHEN {GEMINI} THEN {_z("usageMetadata.promptTokenCount")}
                   + {_z("usageMetadata.toolUsePromptTokenCount")}
  WHEN {DEEPSEEK} THEN coalesce({value("usage.prompt_tokens")}, {hit} + {miss})
  WHEN {ANTHROPIC} THEN {_z("usage.input_tokens")} + {_z("usage.cache_read_input_tokens")}
                      + {writes}
  WHEN {OPENAI_CHAT} THEN {_z("usage.prompt_tokens")}
  WHEN {OPENAI_RESPONSES} THEN {_z("usage.input_tokens")}
  ELSE {_z("input")}
END AS n_input,
CASE shape
  WHEN {GEMINI} THEN {_z("usageMetadata.cachedContentTokenCount")}
  WHEN {DEEPSEEK} THEN {hit}
  WHEN {ANTHROPIC} THEN {_z("usage.cache_read_input_tokens")}
  WHEN {OPENAI_CHAT} THEN {_z("usage.prompt_tokens_details.cached_tokens")}
  WHEN {OPENAI_RESPONSES} THEN {_z("usage.input_tokens_details.cached_tokens")}
  ELSE {_z("cached")}
END AS n_cached,
CASE shape
  WHEN {ANTHROPIC} THEN {writes} - {_z("usage.cache_creation.ephemeral_1h_input_tokens")}
  WHEN {OPENAI_CHAT} THEN {_z("usage.prompt_tokens_details.cache_write_tokens")}
  WHEN {OPENAI_RESPONSES} THEN {_z("usage.input_tokens_details.cache_write_tokens")}
  WHEN {CANONICAL_SHAPE} THEN {_z("cache_write")}
  ELSE 0
END AS n_cache_write,
CASE shape
  WHEN {ANTHROPIC} THEN {_z("usage.cache_creation.ephemeral_1h_input_tokens")}
  WHEN {CANONICAL_SHAPE} THEN {_z("cache_write_1h")}
  ELSE 0
END AS n_cache_write_1h,
CASE shape
  WHEN {GEMINI} THEN {_z("usageMetadata.candidatesTokenCount")}
                   + {_z("usageMetadata.thoughtsTokenCount")}
  WHEN {DEEPSEEK} THEN {_z("usage.completion_tokens")}
  WHEN {ANTHROPIC} THEN {_z("usage.output_tokens")}
  WHEN {OPENAI_CHAT} THEN {_z("usage.completion_tokens")}
  WHEN {OPENAI_RESPONSES} THEN {_z("usage.output_tokens")}
  ELSE {_z("output")}
END AS n_output"""


# The counts each shape's record must carry: one llmcost cannot find (absent, null, a misspelt
# key) is a rejection, never taken as 0. (shape, field, fields that together stand in for it)
REQUIRED = (
    (CANONICAL_SHAPE, "output", ()),
    (OPENAI_CHAT, "usage.completion_tokens", ()),
    (OPENAI_RESPONSES, "usage.output_tokens", ()),
    (ANTHROPIC, "usage.input_tokens", ()),
    (ANTHROPIC, "usage.output_tokens", ()),
    (DEEPSEEK, "usage.prompt_tokens",
     ("usage.prompt_cache_hit_tokens", "usage.prompt_cache_miss_tokens")),
    (DEEPSEEK, "usage.completion_tokens", ()),
    (GEMINI, "usageMetadata.promptTokenCount", ()),
    # the API leaves out a count of 0: an empty reply has only the total to show it
    (GEMINI, "usageMetadata.candidatesTokenCount", ("usageMetadata.totalTokenCount",)),
)  # fmt: skip

# Counts that must agree, where the whole is present: (shapes, whole, relation, parts, whether
# an absent part is 0 (Gemini leaves out zeros) rather than a reason to skip the check).
AGREE = (
    ((OPENAI_CHAT, DEEPSEEK), "usage.total_tokens", "=",
     ("usage.prompt_tokens", "usage.completion_tokens"), False),
    ((OPENAI_RESPONSES,), "usage.total_tokens", "=",
     ("usage.input_tokens", "usage.output_tokens"), False),
    ((DEEPSEEK,), "usage.prompt_tokens", "=",
     ("usage.prompt_cache_hit_tokens", "usage.prompt_cache_miss_tokens"), False),
    ((ANTHROPIC,), "usage.cache_creation_input_tokens", "=",
     ("usage.cache_creation.ephemeral_5m_input_tokens",
      "usage.cache_creation.ephemeral_1h_input_tokens"), False),
    ((GEMINI,), "usageMetadata.totalTokenCount", "=",
     ("usageMetadata.promptTokenCount", "usageMetadata.candidatesTokenCount",
      "usageMetadata.thoughtsTokenCount", "usageMetadata.toolUsePromptTokenCount"), True),
    ((OPENAI_CHAT, DEEPSEEK), "usage.completion_tokens", ">=",
     ("usage.completion_tokens_details.reasoning_tokens",), False),
    ((OPENAI_RESPONSES,), "usage.output_tokens", ">=",
     ("usage.output_tokens_details.reasoning_tokens",), False),
)  # fmt: skip


def count_issue() -> str:
    """SQL over `count_values()` and `shape`: why the record's counts cannot be priced (a
    required count missing, counts that contradict each other), or NULL. Asked only of counts
    that are each well formed (`any_bad_count` comes first)."""
    arms = []
    for shape, path, instead in REQUIRED:
        stand_in = "".join(f" AND {value(p)} IS NULL" for p in instead[:1])
        if len(instead) > 1:  # all of them stand in: missing unless every one is there
            stand_in = " AND (" + " OR ".join(f"{value(p)} IS NULL" for p in instead) + ")"
        either = f" (nor {'both ' * (len(instead) > 1)}{' and '.join(instead)})" if instead else ""
        arms.append(
            f"WHEN shape = {shape} AND {value(path)} IS NULL{stand_in} "
            f"THEN '{path} is missing{either}: a count llmcost cannot find is not taken as 0'"
        )
    for shapes_, whole, relation, parts, zeros in AGREE:
        present = [whole] if zeros else [whole, *parts]
        terms = [(_z(p) if zeros else value(p)) + "::HUGEINT" for p in parts]
        total = " + ".join(terms)
        shown = " + ".join(p.rsplit(".", 1)[-1] for p in parts)
        verb = "is not" if relation == "=" else "is less than"
        arms.append(
            f"WHEN shape IN ({', '.join(map(str, shapes_))}) "
            + "".join(f"AND {value(p)} IS NOT NULL " for p in present)
            + f"AND NOT ({value(whole)} {relation} {total}) "
            f"THEN '{whole} (' || {value(whole)} || ') {verb} {shown} (' || ({total}) || ')'"
        )
    return "CASE " + "\n  ".join(arms) + " END"
