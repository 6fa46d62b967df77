"""The usage shapes `llmcost bill` reads, as SQL over one parsed record: generated from the
rules table (`rules`), where each shape's fields, counts and checks are written once.

A line's shape is the first of `rules.SHAPES` whose identifying fields it carries. A count a
shape must carry (`Required`) that a record lacks (a misspelt key, a null) is a rejection,
never 0; counts that contradict each other (`Agree`: a total that is not the sum of its
parts, reasoning above the output it is part of) are a rejection, never priced either way.
"""

from __future__ import annotations

import json

from llmcost.usage import rules

CANONICAL = rules.CANONICAL
COUNT_FIELDS = rules.LAYOUT.counts  # each becomes a column named by `column()`
OTHER_FIELDS = rules.LAYOUT.others
# the fields of the shapes whose counts are at the top level (`input`, `output`): an object
# or array there is not a count (a logged Responses body's `output` array)
LENIENT = tuple(dict.fromkeys(p for s in rules.SHAPES if s.lenient for p in s.count_fields()))


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


SHAPES = rules.NAMES  # by number (cheaper to compare than names), in detection order


def _present(path: str) -> str:
    return f"{column(path)} IS NOT NULL"


SHAPE = (
    "CASE\n"
    + "\n".join(
        f"  WHEN {' OR '.join(map(_present, s.detect))} THEN {no}"
        for no, s in enumerate(rules.SHAPES)
    )
    + "\nEND"
)


def ambiguous() -> str:
    """SQL: the record has top-level canonical counts and also another shape's count field
    (any: `usage.completion_tokens` alone is enough), so neither may win silently. The other
    fields are looked at only when canonical ones are present."""
    canonical = " OR ".join(map(_present, LENIENT))
    provider = " OR ".join(_present(p) for p in COUNT_FIELDS if p not in LENIENT)
    return f"CASE WHEN {canonical} THEN {provider} ELSE false END"


def not_record() -> str:
    """SQL: the line is not a usage record at all (`rules.NOT_RECORDS`)."""
    no_usage = " AND ".join(f"{column(p)} IS NULL" for p in COUNT_FIELDS)
    arms = []
    for rule in rules.NOT_RECORDS:
        words = ", ".join("'" + w.replace("'", "''") + "'" for w in rule.words)
        arms.append(f"({column(rule.path)} IN ({words})"
                    + (f" AND {no_usage})" if rule.without_usage else ")"))  # fmt: skip
    return f"coalesce({' OR '.join(arms)}, false)" if arms else "false"


def _count_sql(count: rules.Count) -> str:
    terms = []
    for sign, alternatives in count.terms:
        sums = [" + ".join(_z(p) for p in alt) for alt in alternatives]
        expr = sums[-1]
        for alt, text in zip(alternatives[-2::-1], sums[-2::-1], strict=True):
            expr = f"CASE WHEN {value(alt[0])} IS NOT NULL THEN {text} ELSE {expr} END"
        terms.append(("- " if sign < 0 else "+ ") + f"({expr})")
    return " ".join(terms).removeprefix("+ ") or "0"


def normalized_columns() -> str:
    """SQL select-list over `count_values()` and `shape`: the canonical counts."""
    out = []
    for kind in CANONICAL:
        arms = "\n".join(
            f"  WHEN {no} THEN {_count_sql(s.counts()[kind])}" for no, s in enumerate(rules.SHAPES)
        )
        out.append(f"CASE shape\n{arms}\n  ELSE 0\nEND AS n_{kind}")
    return ",\n".join(out)


def per_shape(expr, default: str) -> str:
    """SQL: `expr(shape)` for the record's shape, `default` for a record of none; a CASE only
    where the shapes differ."""
    arms = [(no, expr(s)) for no, s in enumerate(rules.SHAPES)]
    if all(text == default for _, text in arms):
        return default
    return (
        "CASE shape "
        + " ".join(f"WHEN {no} THEN {text}" for no, text in arms)
        + (f" ELSE {default} END")
    )


def first_text(paths) -> str:
    """SQL: the first of the fields present (their text), else NULL."""
    paths = tuple(paths)
    if not paths:
        return "NULL::VARCHAR"
    if len(paths) == 1:
        return column(paths[0])
    return f"coalesce({', '.join(map(column, paths))})"


def id_text(alternatives) -> str:
    """SQL: a record's request id: the first alternative whose fields are all present, its
    fields joined by U+001F; "" is no id (not the next alternative's)."""
    parts = []
    for alt in alternatives:
        joined = " || chr(31) || ".join(map(column, alt))
        present = " AND ".join(f"{column(p)} IS NOT NULL" for p in alt)
        parts.append(column(alt[0]) if len(alt) == 1 else f"CASE WHEN {present} THEN {joined} END")
    if not parts:
        return "NULL::VARCHAR"
    first = parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"
    return f"nullif({first}, '')"


def _all(attr: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p for s in rules.SHAPES for p in getattr(s, attr)))


def model_sql() -> str:
    return per_shape(lambda s: first_text(s.model), first_text(_all("model")))


def instant_sql(at: str | None) -> str:
    """SQL: the text of a record's instant; `at` (an ISO instant) for one that has none."""
    tail = () if at is None else (f"'{at}'",)

    def text(paths) -> str:
        cols = (*map(column, paths), *tail)
        return cols[0] if len(cols) == 1 else f"coalesce({', '.join(cols)})" if cols else "NULL"

    return per_shape(lambda s: text(s.instant), text(rules.INSTANTS))


def instant_names() -> str:
    """SQL: the fields a record's instant is read from, in words (for a rejection)."""

    def words(s) -> str:
        if not s.instant:
            return "'" + s.hint.replace("'", "''") + "'"
        return "'" + _either(s.instant) + "'"

    return per_shape(words, "'" + _either(rules.INSTANTS) + "'")


def _either(paths) -> str:
    return ", ".join(paths[:-1]) + " or " + paths[-1] if len(paths) > 1 else paths[0]


def id_sql() -> str:
    default = ((p,) for p in ("id", "responseId"))
    return per_shape(lambda s: id_text(s.request_id), id_text(tuple(default)))


def tier_fields(which: int) -> str:
    """SQL: the text of a record's first (0) or second (1) tier field."""

    def pick(s) -> str:
        return column(s.tier[which]) if len(s.tier) > which else "NULL::VARCHAR"

    return per_shape(pick, column(rules.TIERS[which]))


def tier_names(which: int) -> str:
    def pick(s) -> str:
        return f"'{s.tier[which]}'" if len(s.tier) > which else "NULL"

    return per_shape(pick, f"'{rules.TIERS[which]}'")


def batch_sql() -> str:
    def pick(s) -> str:
        if s.always_batch:
            return "'true'"
        return column(s.batch) if s.batch else "NULL::VARCHAR"

    return per_shape(pick, column("batch"))


def batch_name() -> str:
    return per_shape(lambda s: f"'{s.batch or 'batch'}'", "'batch'")


def optional_sql(attr: str) -> str:
    """SQL: an optional canonical field (`session`, `project`, `key`, `cost`) as text."""
    return per_shape(lambda s: first_text(getattr(s, attr)), "NULL::VARCHAR")


def count_issue() -> str:
    """SQL over `count_values()` and `shape`: why the record's counts cannot be priced (a
    required count missing, counts that contradict each other), or NULL. Asked only of counts
    that are each well formed (`any_bad_count` comes first)."""
    arms = []
    for no, shape in enumerate(rules.SHAPES):
        arms += [_required_arm(no, r) for r in shape.required]
    for no, shape in enumerate(rules.SHAPES):
        arms += [_agree_arm(no, a) for a in shape.agree]
    return "CASE " + "\n  ".join(arms) + " END"


def _required_arm(shape: int, rule: rules.Required) -> str:
    path, instead = rule
    stand_in = "".join(f" AND {value(p)} IS NULL" for p in instead[:1])
    if len(instead) > 1:  # all of them stand in: missing unless every one is there
        stand_in = " AND (" + " OR ".join(f"{value(p)} IS NULL" for p in instead) + ")"
    either = f" (nor {'both ' * (len(instead) > 1)}{' and '.join(instead)})" if instead else ""
    return (
        f"WHEN shape = {shape} AND {value(path)} IS NULL{stand_in} "
        f"THEN '{path} is missing{either}: a count llmcost cannot find is not taken as 0'"
    )


def _agree_arm(shape: int, rule: rules.Agree) -> str:
    whole, relation, parts, zeros = rule
    present = [whole] if zeros else [whole, *parts]
    terms = [(_z(p) if zeros else value(p)) + "::HUGEINT" for p in parts]
    total = " + ".join(terms)
    shown = " + ".join(p.rsplit(".", 1)[-1] for p in parts)
    verb = "is not" if relation == "=" else "is less than"
    return (
        f"WHEN shape = {shape} "
        + "".join(f"AND {value(p)} IS NOT NULL " for p in present)
        + f"AND NOT ({value(whole)} {relation} {total}) "
        f"THEN '{whole} (' || {value(whole)} || ') {verb} {shown} (' || ({total}) || ')'"
    )
