"""The mix file schema (`examples/mixes/*.toml`), checked by pydantic with unknown keys rejected.

    requests = 1_000_000                  # optional; --requests overrides it
    [workload]                            # optional default per-request workload
    input = 2000
    cache_hit_rate = 0.75                 # or cached = 1500
    output = 400

    [[slices]]
    model = "deepseek-v4-flash"
    share_min = 60                        # percent; or share = 60, or share = "60-70"
    share_max = 70
    input = 1200                          # optional: this slice's own workload

    traffic = "office-hours@Asia/Shanghai"  # optional: when the requests come (--month),
                                          # or a [traffic] table (`TrafficTable`)

Imported only when a mix file is read or written: pydantic's validators are costly to build.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, model_validator

from llmcost.errors import InputError
from llmcost.filefields import Number, count_field, tomlable, unquoted
from llmcost.mix import MixSpec, Slice, Tokens, check_range, parse_share
from llmcost.tomlfile import SourceLines, field_name, read_toml, schema_error
from llmcost.tomlfile import where as at_line
from llmcost.traffic import TrafficProfile, parse_traffic

_COUNT = count_field("A count: a number from 0 to 10^15, at most 12 decimals.")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TokenTable(_Strict):
    input: Number | None = count_field(
        "Prompt tokens per request: the whole prompt, cache included."
    )
    cached: Number | None = count_field("Of the prompt, tokens read from cache (hits) per request.")
    cache_hit_rate: Number | None = Field(
        default=None, ge=0, le=1, allow_inf_nan=False,
        description="Share of the prompt read from cache, 0 to 1 (instead of cached).",
    )  # fmt: skip
    cache_write: Number | None = count_field("Of the prompt, tokens written to cache (5 minutes).")
    cache_write_1h: Number | None = count_field("Of the prompt, tokens written to cache (1 hour).")
    output: Number | None = count_field("Output tokens per request, reasoning included.")

    @model_validator(mode="after")
    def _one_kind_of_hits(self):
        if self.cached is not None and self.cache_hit_rate is not None:
            raise ValueError("give cached or cache_hit_rate, not both")
        return self

    def tokens(self) -> Tokens:
        return Tokens(**self.model_dump())


Weight = Annotated[Decimal, BeforeValidator(unquoted), Field(ge=0, le=10**15, allow_inf_nan=False)]


class TrafficTable(_Strict):
    """A traffic profile as a file writes it (`llmcost.traffic`): the text `--traffic` takes,

        traffic = "office-hours@Asia/Shanghai"

    or a table: a `timezone` (IANA) and a `preset`, or weights of its own, relative:

        [traffic]
        timezone = "Asia/Shanghai"
        hours = [0, 0, 0, 0, 0, 0, 0, 1, 2, 4, 4, 4, 2, 4, 4, 4, 4, 2, 1, 1, 1, 0, 0, 0]
        weekdays = [1, 1, 1, 1, 1, 0.2, 0.2]

    `hours` start with 00:00-01:00, `weekdays` with Monday; each defaults to all 1.
    """

    timezone: str | None = Field(
        default=None, min_length=1, description="The IANA time zone of the hours and weekdays."
    )
    preset: str | None = Field(
        default=None, min_length=1, description="flat, office-hours or business-days."
    )
    hours: list[Weight] | None = Field(
        default=None,
        min_length=24,
        max_length=24,
        description="24 relative weights, 00:00-01:00 first (local time).",
    )
    weekdays: list[Weight] | None = Field(
        default=None, min_length=7, max_length=7, description="7 relative weights, Monday first."
    )

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data):
        return {"preset": data} if isinstance(data, str) else data  # "office-hours@ZONE"

    @model_validator(mode="after")
    def _a_profile(self):
        self.profile()  # every mistake is reported here, at the traffic key's line
        return self

    def profile(self) -> TrafficProfile:
        try:
            if self.preset is not None:
                if (self.hours, self.weekdays) != (None, None):
                    raise InputError("give a preset, or hours and weekdays, not both")
                if self.timezone is None:
                    return parse_traffic(self.preset, field=None)
                if "@" in self.preset:
                    raise InputError("give the time zone once: in preset or in timezone")
                return parse_traffic(f"{self.preset}@{self.timezone}", field=None)
            if self.timezone is None:
                raise InputError("timezone: required, e.g. timezone = 'Asia/Shanghai' (or 'UTC')")
            ones = [Decimal(1)] * 24
            hours, weekdays = self.hours or ones, self.weekdays or ones[:7]
            return TrafficProfile(self.timezone, tuple(hours), tuple(weekdays))
        except InputError as exc:
            raise ValueError(exc.message) from None


def _or_text(schema: dict) -> None:
    """The JSON Schema of a `traffic` key: the table, or the text `--traffic` takes."""
    text = {"type": "string", "description": "flat, office-hours@ZONE or business-days@ZONE"}
    schema["anyOf"] = [*schema.get("anyOf", []), text]


TRAFFIC = Field(
    default=None,
    json_schema_extra=_or_text,
    description="When the requests come (with a month): a traffic profile.",
)


def traffic_value(profile: TrafficProfile) -> str | dict[str, object]:
    """A profile as a file writes it, readable back by `TrafficTable`."""
    if profile.name != "custom":
        return profile.label
    return {
        "timezone": profile.timezone,
        "hours": list(profile.hours),
        "weekdays": list(profile.weekdays),
    }


class SliceTable(TokenTable):
    model: str = Field(min_length=1, description="The slice's model: an id, alias or provider/id.")
    share: Decimal | str | None = Field(
        default=None,
        description='Percent of the traffic: a number (60) or a range as text ("60-70").',
    )
    share_min: Number | None = Field(default=None, description="Lowest percent of the traffic.")
    share_max: Number | None = Field(default=None, description="Highest percent of the traffic.")

    @model_validator(mode="after")
    def _one_kind_of_share(self):
        ranged = (self.share_min, self.share_max)
        if self.share is not None and ranged != (None, None):
            raise ValueError("give share, or share_min and share_max, not both")
        if self.share is None and None in ranged:
            raise ValueError("give share, or both share_min and share_max")
        return self


class MixFile(_Strict):
    requests: Number | None = _COUNT
    batch: StrictBool = False
    tier: str | None = Field(default=None, min_length=1)
    workload: TokenTable = TokenTable()
    traffic: TrafficTable | None = TRAFFIC
    slices: list[SliceTable] = Field(min_length=1)

    def to_spec(self, file: Path, lines: SourceLines, prefix: tuple = ()) -> MixSpec:
        """The mix; `prefix` locates the slices in a larger file (a budget's workload)."""
        slices = []
        for index, table in enumerate(self.slices):
            loc = (*prefix, "slices", index)
            where = f"{at_line(str(file), lines.line(loc))}: {field_name(loc)} ({table.model})"
            if table.share is None:
                low, high = check_range(table.share_min, table.share_max, where=where)
            elif isinstance(table.share, str):
                low, high = parse_share(table.share, where=where)
            else:
                low, high = check_range(table.share, table.share, where=where)
            tokens = TokenTable(**table.model_dump(include=set(TokenTable.model_fields))).tokens()
            slices.append(Slice(table.model, low, high, tokens, where))
        tier = file_tier(self.batch, self.tier, where=f"{file}: tier")
        traffic = self.traffic.profile() if self.traffic is not None else None
        return MixSpec(
            tuple(slices),
            self.workload.tokens(),
            self.requests,
            str(file),
            tier=tier,
            traffic=traffic,
        )


def file_tier(batch: bool, tier: str | None, *, where: str) -> str | None:
    """A file's service tier: `tier = "flex"`, or `batch = true` (the older spelling of
    `tier = "batch"`); both only when they agree."""
    from llmcost.catalog.names import tier_name
    from llmcost.errors import InputError

    named = tier_name(tier, field=where) if tier is not None else None
    if batch and named not in (None, "batch"):
        raise InputError(f"batch = true and tier = {tier!r} disagree", where=where)
    return "batch" if batch else named


# -- reading and writing ------------------------------------------------------------------


def load_mix(path: str | Path) -> MixSpec:
    """A mix file (schema: `llmcost.mixfile`), every error naming the file and line."""
    from pydantic import ValidationError

    raw, lines = read_toml(path)
    try:
        parsed = MixFile.model_validate(raw)
    except ValidationError as exc:
        raise schema_error(
            exc, raw, str(path), lines, schema="docs/simulate.md (Mix files)"
        ) from None
    return parsed.to_spec(Path(path), lines)


def dump_mix(spec: MixSpec) -> str:
    """The mix as a mix file (written with tomli-w), readable back by `load_mix`."""
    import tomli_w

    doc: dict[str, object] = {}
    if spec.requests is not None:
        doc["requests"] = spec.requests
    if spec.tier not in (None, "standard"):
        doc["tier"] = spec.tier
    if spec.tokens.given():
        doc["workload"] = spec.tokens.given()
    if spec.traffic is not None:
        doc["traffic"] = traffic_value(spec.traffic)
    doc["slices"] = [slice_table(s) for s in spec.slices]
    return tomli_w.dumps(tomlable(doc))


def slice_table(s: Slice, model: str | None = None) -> dict[str, object]:
    """A slice as a mix file (or a budget's `slices`) writes it: its model, its share or
    share range, and its own workload."""
    item: dict[str, object] = {"model": model or s.model}
    if s.share_min == s.share_max:
        item["share"] = s.share_min
    else:
        item["share_min"], item["share_max"] = s.share_min, s.share_max
    item.update(s.tokens.given())
    return item
