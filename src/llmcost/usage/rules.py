"""The log shapes `llmcost bill` reads, as data: one row per shape, read by every reader.

Each `Shape` says which fields identify a record of it (`detect`: any of them present, the
first shape in `SHAPES` that matches wins), how each canonical count is built from its
fields (`Count`), where its model, instant, request id, tier and batch flag are, which counts
it must carry (`Required`) and which must agree (`Agree`), and the optional canonical fields
later reports use (session, project, api key or user, the cost its tool computed).

The canonical counts (the engine prices these): `input` is the whole prompt; `cached` (cache
reads) and the cache writes (`cache_write`: 5-minute, `cache_write_1h`) are parts of it;
`output` includes reasoning.

From this table come the DuckDB SQL (`shapes`, `query`) and the compiled scanner's
configuration (`scan.rules_config`): adding a shape is a row here, a fixture and a test.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import NamedTuple

from llmcost.kinds import TOKEN_KINDS as CANONICAL


class Term(NamedTuple):
    """A signed part of a count: the first of `alternatives` whose first field is present
    (the last one otherwise), each alternative a sum of fields (absent ones are 0)."""

    sign: int
    alternatives: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Count:
    """A canonical count as a signed sum of `Term`s; no terms: 0."""

    terms: tuple[Term, ...] = ()

    def __add__(self, other: Count) -> Count:
        return Count(self.terms + other.terms)

    def __sub__(self, other: Count) -> Count:
        return Count(self.terms + tuple(Term(-t.sign, t.alternatives) for t in other.terms))

    def fields(self) -> tuple[str, ...]:
        return tuple(p for t in self.terms for alt in t.alternatives for p in alt)


def sum_of(*paths: str) -> Count:
    """The sum of fields, an absent one 0."""
    return Count(tuple(Term(1, ((p,),)) for p in paths))


def first_of(*alternatives: str | tuple[str, ...]) -> Count:
    """The first alternative whose first field is present, else the last (`Term`)."""
    alts = tuple(a if isinstance(a, tuple) else (a,) for a in alternatives)
    return Count((Term(1, alts),))


ZERO = Count()


class Required(NamedTuple):
    """A count the record must carry, unless every field of `instead` is there: one llmcost
    cannot find (absent, null, misspelt) is a rejection, never 0."""

    path: str
    instead: tuple[str, ...] = ()


class Agree(NamedTuple):
    """Counts that must agree where `whole` is present: `whole` = the sum of `parts` (or
    `>=` it); `zeros`: an absent part is 0 (else it skips the check)."""

    whole: str
    relation: str
    parts: tuple[str, ...]
    zeros: bool = False


class NotRecord(NamedTuple):
    """Lines that are not usage records at all (not rejections): `path` is one of `words`,
    and, with `without_usage`, the line has no count field of any shape."""

    path: str
    words: tuple[str, ...]
    without_usage: bool = True


INSTANTS = ("timestamp", "created", "created_at")
TIERS = ("service_tier", "usage.service_tier")


@dataclass(frozen=True)
class Shape:
    name: str
    detect: tuple[str, ...]
    input: Count
    output: Count
    cached: Count = ZERO
    cache_write: Count = ZERO
    cache_write_1h: Count = ZERO
    required: tuple[Required, ...] = ()
    agree: tuple[Agree, ...] = ()
    checked: tuple[str, ...] = ()  # count fields read only to check the others (`agree`)
    model: tuple[str, ...] = ("model", "modelVersion")  # the first present
    instant: tuple[str, ...] = INSTANTS  # the first present; none: `--at` gives it
    # the request id: the first alternative whose fields are all present, joined by US
    request_id: tuple[tuple[str, ...], ...] = (("id",), ("responseId",))
    tier: tuple[str, ...] = TIERS  # service-tier words; two that differ: a rejection
    batch: str | None = "batch"  # a batch flag field
    always_batch: bool = False  # a batch API's result: priced at the batch tier
    provider: tuple[str, ...] = ()  # a field naming the provider that billed the call
    # optional canonical fields, carried to the per-record rows for the reports
    session: tuple[str, ...] = ()
    project: tuple[str, ...] = ()
    key: tuple[str, ...] = ()  # the API key or user
    cost: tuple[str, ...] = ()  # the cost the tool or gateway computed (USD)
    lenient: bool = False  # an object or array at a count field is not that count
    # each copy of a record carries its own instant (a Claude Code message's lines): copies
    # are compared without it, and the earliest is billed
    instant_per_copy: bool = False
    hint: str = ""  # how to give what the shape lacks (its instant)

    def counts(self) -> dict[str, Count]:
        return {kind: getattr(self, kind) for kind in CANONICAL}

    def count_fields(self) -> tuple[str, ...]:
        paths = [p for c in self.counts().values() for p in c.fields()]
        paths += [r.path for r in self.required] + [p for r in self.required for p in r.instead]
        paths += [p for a in self.agree for p in (a.whole, *a.parts)]
        paths += list(self.checked)
        return tuple(dict.fromkeys(paths))

    def other_fields(self) -> tuple[str, ...]:
        ids = (p for alt in self.request_id for p in alt)
        paths = (*self.model, *self.instant, *ids, *self.tier, *([self.batch] * bool(self.batch)),
                 *self.provider, *self.session, *self.project, *self.key, *self.cost)  # fmt: skip
        return tuple(dict.fromkeys(paths))


def under(prefix: str, shape: Shape, name: str, **changes) -> Shape:
    """`shape` with every field under `prefix` (a body wrapped by a log or a batch file);
    `changes` replace fields after that (their paths as written)."""

    def moved(path: str) -> str:
        return f"{prefix}.{path}"

    def count(c: Count) -> Count:
        return Count(tuple(Term(t.sign, tuple(tuple(map(moved, a)) for a in t.alternatives))
                           for t in c.terms))  # fmt: skip

    paths = dict(
        detect=tuple(map(moved, shape.detect)),
        required=tuple(
            Required(moved(r.path), tuple(map(moved, r.instead))) for r in shape.required
        ),
        agree=tuple(
            Agree(moved(a.whole), a.relation, tuple(map(moved, a.parts)), a.zeros)
            for a in shape.agree
        ),
        checked=tuple(map(moved, shape.checked)),
        model=tuple(map(moved, shape.model)),
        instant=tuple(map(moved, shape.instant)),
        request_id=tuple(tuple(map(moved, alt)) for alt in shape.request_id),
        tier=tuple(map(moved, shape.tier)),
        batch=None,
        **{kind: count(c) for kind, c in shape.counts().items()},
    )
    return replace(shape, name=name, **(paths | changes))


# ---------- the provider bodies ----------

GEMINI = Shape(
    "gemini",
    detect=("usageMetadata.promptTokenCount", "usageMetadata.cachedContentTokenCount",
            "usageMetadata.candidatesTokenCount", "usageMetadata.thoughtsTokenCount",
            "usageMetadata.toolUsePromptTokenCount", "usageMetadata.totalTokenCount"),
    # promptTokenCount includes the cached tokens; tool-use prompts are more input
    input=sum_of("usageMetadata.promptTokenCount", "usageMetadata.toolUsePromptTokenCount"),
    cached=sum_of("usageMetadata.cachedContentTokenCount"),
    output=sum_of("usageMetadata.candidatesTokenCount", "usageMetadata.thoughtsTokenCount"),
    required=(
        Required("usageMetadata.promptTokenCount"),
        # the API leaves out a count of 0: an empty reply has only the total to show it
        Required("usageMetadata.candidatesTokenCount", ("usageMetadata.totalTokenCount",)),
    ),
    agree=(Agree("usageMetadata.totalTokenCount", "=",
                 ("usageMetadata.promptTokenCount", "usageMetadata.candidatesTokenCount",
                  "usageMetadata.thoughtsTokenCount", "usageMetadata.toolUsePromptTokenCount"),
                 zeros=True),),
)  # fmt: skip

DEEPSEEK = Shape(
    "deepseek",
    detect=("usage.prompt_cache_hit_tokens", "usage.prompt_cache_miss_tokens"),
    # hits and misses sum to prompt_tokens
    input=first_of("usage.prompt_tokens",
                   ("usage.prompt_cache_hit_tokens", "usage.prompt_cache_miss_tokens")),
    cached=sum_of("usage.prompt_cache_hit_tokens"),
    output=sum_of("usage.completion_tokens"),
    required=(
        Required("usage.prompt_tokens",
                 ("usage.prompt_cache_hit_tokens", "usage.prompt_cache_miss_tokens")),
        Required("usage.completion_tokens"),
    ),
    agree=(
        Agree("usage.total_tokens", "=", ("usage.prompt_tokens", "usage.completion_tokens")),
        Agree("usage.prompt_tokens", "=",
              ("usage.prompt_cache_hit_tokens", "usage.prompt_cache_miss_tokens")),
        Agree("usage.completion_tokens", ">=",
              ("usage.completion_tokens_details.reasoning_tokens",)),
    ),
)  # fmt: skip

_WRITES = first_of("usage.cache_creation_input_tokens",
                   ("usage.cache_creation.ephemeral_5m_input_tokens",
                    "usage.cache_creation.ephemeral_1h_input_tokens"))  # fmt: skip
_WRITES_1H = sum_of("usage.cache_creation.ephemeral_1h_input_tokens")

ANTHROPIC = Shape(
    "anthropic",
    detect=("usage.cache_read_input_tokens", "usage.cache_creation_input_tokens",
            "usage.cache_creation.ephemeral_5m_input_tokens",
            "usage.cache_creation.ephemeral_1h_input_tokens"),
    # input_tokens excludes the cache reads and writes; the TTL split is in cache_creation
    input=sum_of("usage.input_tokens", "usage.cache_read_input_tokens") + _WRITES,
    cached=sum_of("usage.cache_read_input_tokens"),
    cache_write=_WRITES - _WRITES_1H,
    cache_write_1h=_WRITES_1H,
    output=sum_of("usage.output_tokens"),
    required=(Required("usage.input_tokens"), Required("usage.output_tokens")),
    agree=(Agree("usage.cache_creation_input_tokens", "=",
                 ("usage.cache_creation.ephemeral_5m_input_tokens",
                  "usage.cache_creation.ephemeral_1h_input_tokens")),),
)  # fmt: skip

OPENAI_CHAT = Shape(
    "openai-chat",
    detect=("usage.prompt_tokens",),
    # prompt_tokens includes the cached tokens; OpenRouter adds `provider` and `usage.cost`
    input=sum_of("usage.prompt_tokens"),
    cached=sum_of("usage.prompt_tokens_details.cached_tokens"),
    cache_write=sum_of("usage.prompt_tokens_details.cache_write_tokens"),
    output=sum_of("usage.completion_tokens"),
    required=(Required("usage.completion_tokens"),),
    agree=(
        Agree("usage.total_tokens", "=", ("usage.prompt_tokens", "usage.completion_tokens")),
        Agree("usage.completion_tokens", ">=",
              ("usage.completion_tokens_details.reasoning_tokens",)),
    ),
    cost=("usage.cost",),
)  # fmt: skip

OPENAI_RESPONSES = Shape(
    "openai-responses",
    detect=("usage.input_tokens",),
    # input_tokens includes the cached tokens (an Anthropic body without cache fields reads
    # the same, so either way it is priced right)
    input=sum_of("usage.input_tokens"),
    cached=sum_of("usage.input_tokens_details.cached_tokens"),
    cache_write=sum_of("usage.input_tokens_details.cache_write_tokens"),
    output=sum_of("usage.output_tokens"),
    required=(Required("usage.output_tokens"),),
    agree=(
        Agree("usage.total_tokens", "=", ("usage.input_tokens", "usage.output_tokens")),
        Agree("usage.output_tokens", ">=", ("usage.output_tokens_details.reasoning_tokens",)),
    ),
)  # fmt: skip

CANONICAL_SHAPE = Shape(
    "canonical",
    detect=("input",),
    input=sum_of("input"),
    cached=sum_of("cached"),
    cache_write=sum_of("cache_write"),
    cache_write_1h=sum_of("cache_write_1h"),
    output=sum_of("output"),
    required=(Required("output"),),
    lenient=True,  # a logged Responses body has `output` (and a request `input`) as arrays
)

# ---------- logs that wrap a body ----------

# Claude Code (~/.claude/projects/**/*.jsonl): an assistant message is written once per
# content block, each line with the message's usage: the message id + request id bill it once
CLAUDE_CODE = under(
    "message", ANTHROPIC, "claude-code",
    detect=("message.usage.input_tokens",),
    model=("message.model",),
    instant=("timestamp",),
    request_id=(("message.id", "requestId"),),
    session=("sessionId",),
    project=("cwd",),
    cost=("costUSD",),
    instant_per_copy=True,
)  # fmt: skip

# OpenAI Batch output: one line per request, the response body under `response.body`
OPENAI_BATCH_CHAT = under(
    "response.body", OPENAI_CHAT, "openai-batch",
    model=("response.body.model",),
    instant=("response.body.created",),
    request_id=(("response.body.id",), ("custom_id",)),
    always_batch=True,
)  # fmt: skip
OPENAI_BATCH_RESPONSES = under(
    "response.body", OPENAI_RESPONSES, "openai-batch-responses",
    model=("response.body.model",),
    instant=("response.body.created_at",),
    request_id=(("response.body.id",), ("custom_id",)),
    always_batch=True,
)  # fmt: skip

# Anthropic Message Batches results: the message under `result.message`; no instant
ANTHROPIC_BATCH = under(
    "result.message", ANTHROPIC, "anthropic-batch",
    detect=("result.message.usage.input_tokens",),
    model=("result.message.model",),
    instant=(),
    request_id=(("result.message.id",), ("custom_id",)),
    always_batch=True,
    hint="an Anthropic batch result carries no instant: give the batch's with --at",
)  # fmt: skip

# LiteLLM proxy spend logs (its SpendLogs rows): counts at the top level
LITELLM = Shape(
    "litellm",
    detect=("prompt_tokens",),
    input=sum_of("prompt_tokens"),
    output=sum_of("completion_tokens"),
    required=(Required("completion_tokens"),),
    agree=(Agree("total_tokens", "=", ("prompt_tokens", "completion_tokens")),),
    model=("model",),
    instant=("startTime",),
    request_id=(("request_id",),),
    tier=(),
    batch=None,
    provider=("custom_llm_provider",),
    key=("api_key",),
    cost=("spend",),
)

SHAPES = (
    GEMINI, DEEPSEEK, CLAUDE_CODE, ANTHROPIC_BATCH, ANTHROPIC, OPENAI_BATCH_CHAT,
    OPENAI_BATCH_RESPONSES, OPENAI_CHAT, OPENAI_RESPONSES, LITELLM, CANONICAL_SHAPE,
)  # fmt: skip

# Lines of a log that are not usage at all: a Claude Code user turn, summary or snapshot; a
# batch request that errored, was cancelled or expired (not billed). Neither records nor
# rejections.
NOT_RECORDS = (
    NotRecord("type", ("user", "summary", "system", "file-history-snapshot")),
    NotRecord("result.type", ("errored", "canceled", "expired")),
)


class Layout(NamedTuple):
    """Every field the shapes read, once: count fields (each read as a whole number) and
    the others (read as text)."""

    counts: tuple[str, ...]
    others: tuple[str, ...]


def layout(shapes: tuple[Shape, ...] = SHAPES) -> Layout:
    counts = tuple(dict.fromkeys(p for s in shapes for p in s.count_fields()))
    read = [p for s in shapes for p in (*s.other_fields(), *s.detect)]
    read += [n.path for n in NOT_RECORDS]
    return Layout(counts, tuple(p for p in dict.fromkeys(read) if p not in counts))


LAYOUT = layout()
NAMES = tuple(s.name for s in SHAPES)
