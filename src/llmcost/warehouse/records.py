"""Canonical usage records read by an engine (DuckDB or Spark) and checked as `bill` checks
them, in Ibis expressions every engine runs alike.

What `--engine` reads: llmcost's canonical records (`model`, `timestamp` or `created` or
`created_at`, `input`, `cached`, `cache_write`, `cache_write_1h`, `output`, `batch`,
`service_tier`, `id`) as JSON Lines (`.jsonl`, `.json`, `.ndjson`, gzipped too) or Parquet
(`.parquet`) with those columns. Every field is read as its text and checked here: a count
must be a whole number of at most 18 digits, an instant Unix seconds or
`YYYY-MM-DD[Thh:mm[:ss[.fraction]]][Z|+hh[[:]mm]]` in 1970-2099, parsed with integer
arithmetic (no engine's date functions, no session time zone). A record carrying a
provider's usage (`usage`, `usageMetadata`), a CSV, a line that is not JSON: bad input
(exit 2) with a hint to use the default engine, which reads those.
"""

from __future__ import annotations

from llmcost.errors import InputError
from llmcost.usage.query import (
    FIRST_YEAR,
    LAST_YEAR,
    TS_ISO_ANY_OFFSET,
    TS_MILLIS,
    TS_NUMBER,
    TS_OFFSET,
    TS_SECONDS,
    US_UNTIL,
)

COUNTS = ("input", "cached", "cache_write", "cache_write_1h", "output")
FIELDS = ("model", "timestamp", "created", "created_at", *COUNTS, "batch", "service_tier",
          "id", "usage", "usageMetadata")  # fmt: skip
JSON_SUFFIXES = (".jsonl", ".json", ".ndjson", ".jsonl.gz", ".json.gz", ".ndjson.gz")
PARQUET_SUFFIXES = (".parquet",)
BATCH_TRUE = ("true", "1", "yes")
BATCH_WORDS = (*BATCH_TRUE, "false", "0", "no")
_ISO = (
    r"^([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"([T t]([0-9]{2}):([0-9]{2})(:([0-9]{2})(\.([0-9]{1,9}))?)?)?"
    rf"({TS_OFFSET})?$"
)  # fmt: skip
_OFFSET = r"^([+-])([0-9]{2}):?([0-9]{2})?$"
# the parts of an instant `_ISO` matched, each its own pattern (DuckDB extracts groups 0-9)
_DATE = r"^([0-9]{4})-([0-9]{2})-([0-9]{2})"
_HOUR_MINUTE = r"^.{10}[T t]([0-9]{2}):([0-9]{2})"
_SECOND = r"^.{10}[T t][0-9]{2}:[0-9]{2}:([0-9]{2})"
_FRACTION = r"^.{10}[T t][0-9]{2}:[0-9]{2}:[0-9]{2}[.]([0-9]{1,9})"
_ZONE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T t][0-9:.]+)?([Zz]|[+-][0-9:]+)$"


def kind_of(path: str) -> str:
    """`json` or `parquet` by the name's ending; anything else is bad input."""
    lower = path.lower().rstrip("/")
    if lower.endswith(JSON_SUFFIXES):
        return "json"
    if lower.endswith(PARQUET_SUFFIXES):
        return "parquet"
    hint = (
        "CSV is read by the default engine: drop --engine"
        if lower.endswith((".csv", ".csv.gz"))
        else "--engine reads canonical records as JSON Lines (.jsonl, .json, .ndjson, "
        "gzipped too) or Parquet (.parquet); other logs: drop --engine"
    )
    raise InputError(f"{path}: --engine cannot read this kind of file", hint=hint)


def full(text, pattern: str):
    """A whole-string regular expression match (the pattern carries ^ and $)."""
    return text.re_search(pattern)


def _int(text):
    return text.try_cast("int64")


def _group(text, pattern: str, n: int):
    return text.re_extract(pattern, n)


def parse_instant(text):
    """(epoch seconds, microseconds past it) of a record's instant text, both NULL when it
    is not one: Unix seconds (a fraction of up to 6 digits), or ISO 8601 as `_ISO`, with a
    valid date and time (24:00 is the next midnight) — by integer arithmetic alone."""
    import ibis

    secs = full(text, f"^{TS_SECONDS}$")
    number = full(text, f"^{TS_NUMBER}$")
    iso = full(text, _ISO)
    y, mo, d = (_int(_group(text, _DATE, i)) for i in (1, 2, 3))
    has_time = _group(text, _HOUR_MINUTE, 1) != ""
    h = ibis.ifelse(has_time, _int(_group(text, _HOUR_MINUTE, 1)), 0)
    mi = ibis.ifelse(has_time, _int(_group(text, _HOUR_MINUTE, 2)), 0)
    sec_text = _group(text, _SECOND, 1)
    sec = ibis.ifelse(sec_text == "", 0, _int(sec_text))
    frac_text = _group(text, _FRACTION, 1)
    frac = ibis.ifelse(frac_text == "", 0, _int(frac_text.rpad(9, "0").left(6)))
    offset = _group(text, _ZONE, 1).upper()
    sign = ibis.ifelse(_group(offset, _OFFSET, 1) == "-", -1, 1)
    off_h = _int(_group(offset, _OFFSET, 2))
    off_m = _int(_group(offset, _OFFSET, 3)).fill_null(0)
    off_s = ibis.ifelse(offset.isin(["", "Z"]), 0, sign * (off_h * 3600 + off_m * 60))
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    days_in_month = ibis.cases(
        (mo.isin([4, 6, 9, 11]), 30), (mo == 2, ibis.ifelse(leap, 29, 28)), else_=31
    )
    valid = (
        (mo >= 1) & (mo <= 12) & (d >= 1) & (d <= days_in_month) & (mi <= 59) & (sec <= 59)
        & ((h <= 23) | ((h == 24) & (mi == 0) & (sec == 0) & (frac == 0)))
    )  # fmt: skip
    # days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil);
    # `//` on these small whole numbers is exact in every engine
    yy = y - ibis.ifelse(mo <= 2, 1, 0)
    era = yy // 400
    yoe = yy - era * 400
    doy = (153 * (mo + ibis.ifelse(mo > 2, -3, 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    days = era * 146_097 + doe - 719_468
    iso_s = days * 86_400 + h * 3_600 + mi * 60 + sec - off_s
    whole = _int(_group(text, r"^([0-9]{1,12})", 1))
    num_frac = _int(_group(text, r"[.]([0-9]{1,6})$", 1).rpad(6, "0")).fill_null(0)
    seconds = ibis.cases(
        (secs, whole), (number, whole), (iso & valid, iso_s), else_=ibis.null("int64")
    )
    micros = ibis.cases(
        (secs, 0), (number, num_frac), (iso & valid, frac), else_=ibis.null("int64")
    )
    return seconds, micros


def instant_reason(text, seconds):
    """Why an instant text is not one, in `bill`'s words (`query._reason_sql`)."""
    import ibis

    return ibis.cases(
        (
            full(text, f"^{TS_MILLIS}$"),
            "timestamp: " + text + f" as Unix seconds is past {LAST_YEAR}: it looks like "
            "milliseconds; give seconds",
        ),
        (
            seconds.notnull(),
            "timestamp: " + text + f" is out of range: instants must fall in "
            f"{FIRST_YEAR}-{LAST_YEAR} UTC",
        ),
        (
            full(text, f"^{TS_ISO_ANY_OFFSET}$"),
            "timestamp: " + text + " has an invalid UTC offset: +HH:MM within +-18:00, "
            "minutes under 60",
        ),
        else_="timestamp: " + text + " is not an ISO 8601 instant or Unix seconds",
    )


def in_range(seconds, micros):
    us = seconds * 1_000_000 + micros
    return (seconds >= 0) & (us < US_UNTIL)
