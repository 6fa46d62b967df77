"""Traffic profiles: the density, its exact integral across DST, and costs weighed by it.

Fixture rates (tests/fixtures/pricing): alpha-flash 1 in / 2 out per 1M off-peak, 2 / 4 in its
peak window 01:00-04:00 UTC Mon-Fri (from 2026-03-01); alpha-pro and beta-large have no window.
A request of 1M in + 1M out costs 3 off-peak and 6 at peak on alpha-flash.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from llmcost.cli.app import app
from llmcost.engine import KINDS, Workload, _shares, cost_over
from llmcost.errors import InputError
from llmcost.money import to_decimal
from llmcost.traffic import TrafficProfile, parse_traffic, preset

HOUR_US = 3_600_000_000
ONES = (Decimal(1),) * 24
M = Decimal(1_000_000)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def only_hour(hour: int, zone: str) -> TrafficProfile:
    """All the traffic in one local wall-clock hour, every day."""
    hours = tuple(Decimal(1) if h == hour else Decimal(0) for h in range(24))
    return TrafficProfile(zone, hours, (Decimal(1),) * 7)


def local_day(zone: str, year: int, month: int, day: int) -> tuple[datetime, datetime]:
    z = ZoneInfo(zone)
    start = datetime(year, month, day, tzinfo=z).astimezone(UTC)
    end = (datetime(year, month, day, tzinfo=z) + timedelta(days=1)).astimezone(UTC)
    return start, end


# -- the density and its integral ----------------------------------------------------------------


def test_flat_mass_is_the_length_in_microseconds():
    flat = parse_traffic("flat")
    assert flat.mass(utc(2026, 3, 1), utc(2026, 4, 1)) == 31 * 24 * HOUR_US
    assert flat.days(utc(2026, 3, 1), utc(2026, 4, 1)) == 31


def test_the_skipped_hour_of_spring_forward_has_no_traffic():
    start, end = local_day("Europe/Berlin", 2026, 3, 29)  # 02:00 CET -> 03:00 CEST
    assert end - start == timedelta(hours=23)
    assert only_hour(2, "Europe/Berlin").mass(start, end) == 0
    assert only_hour(3, "Europe/Berlin").mass(start, end) == HOUR_US


def test_the_repeated_hour_of_fall_back_counts_twice():
    start, end = local_day("Europe/Berlin", 2026, 10, 25)  # 03:00 CEST -> 02:00 CET
    assert end - start == timedelta(hours=25)
    assert only_hour(2, "Europe/Berlin").mass(start, end) == 2 * HOUR_US
    assert only_hour(1, "Europe/Berlin").mass(start, end) == HOUR_US


def test_an_offset_change_inside_a_local_hour_ends_that_hour_there():
    # Caracas, 2016-05-01 07:00 UTC: 02:30 at -04:30 became 03:00 at -04:00, so local hour 2
    # lasted 30 minutes (the instant is found by bisection, not on a whole local hour)
    start, end = local_day("America/Caracas", 2016, 5, 1)
    assert only_hour(2, "America/Caracas").mass(start, end) == HOUR_US // 2
    assert only_hour(3, "America/Caracas").mass(start, end) == HOUR_US
    assert only_hour(1, "America/Caracas").mass(start, end) == HOUR_US


def test_a_half_hour_dst_shift_makes_a_half_hour_local_hour():
    # Lord Howe Island, 2026-10-04: 02:00 at +10:30 became 02:30 at +11:00
    start, end = local_day("Australia/Lord_Howe", 2026, 10, 4)
    assert only_hour(2, "Australia/Lord_Howe").mass(start, end) == HOUR_US // 2


def test_days_of_traffic_are_per_average_day_of_the_week():
    office = parse_traffic("office-hours@Asia/Shanghai")
    saturday, monday = (
        local_day("Asia/Shanghai", 2026, 10, 3),
        local_day("Asia/Shanghai", 2026, 10, 5),
    )
    assert office.days(*saturday) == 0
    assert office.days(*monday) == Fraction(7, 5)
    week = office.days(monday[0], monday[0] + timedelta(days=7))
    assert week == 7


ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "America/St_Johns",
    "Pacific/Chatham",
    "America/Caracas",
]
weights = st.integers(min_value=0, max_value=5).map(Decimal)


@st.composite
def profiles(draw) -> TrafficProfile:
    hours = draw(st.lists(weights, min_size=24, max_size=24).filter(any))
    days = draw(st.lists(weights, min_size=7, max_size=7).filter(any))
    return TrafficProfile(draw(st.sampled_from(ZONES)), tuple(hours), tuple(days))


minute_periods = st.tuples(
    st.integers(min_value=0, max_value=366 * 24 * 60),  # minutes into 2026 (DST both ways)
    st.integers(min_value=1, max_value=3 * 24 * 60),
).map(lambda p: (utc(2026, 1, 1) + timedelta(minutes=p[0]), p[1]))


@settings(max_examples=60, deadline=None)
@given(profile=profiles(), period=minute_periods)
def test_mass_is_the_minute_by_minute_sum_of_local_weights(profile, period):
    # every offset change in these zones since 1970 is on a whole minute: stepping by minutes
    # and reading the wall clock at each is an independent, exact reckoning
    start, minutes = period
    zone = ZoneInfo(profile.timezone)
    expected = Fraction(0)
    for i in range(minutes):
        local = (start + timedelta(minutes=i)).astimezone(zone)
        weight = profile.hours[local.hour] * profile.weekdays[local.weekday()]
        expected += Fraction(weight) * 60_000_000
    assert profile.mass(start, start + timedelta(minutes=minutes)) == expected


# -- parsing ---------------------------------------------------------------------------------------


def test_presets_and_their_labels():
    office = parse_traffic(" Office-Hours @ Europe/Berlin ")
    assert office.label == "office-hours@Europe/Berlin"
    assert office.hours[8:10] == (0, 1) and office.hours[17:19] == (1, 0)
    assert office.weekdays == (1, 1, 1, 1, 1, 0, 0)
    assert parse_traffic("flat").label == "flat@UTC"
    assert parse_traffic("business-days@UTC").hours == ONES


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("office-hours", "needs a time zone"),
        ("weekends@UTC", "is not a traffic profile"),
        ("office-hours@Mars/Olympus", "not an IANA time zone"),
        ("office-hours@../../etc/passwd", "not an IANA time zone"),
    ],
)
def test_bad_profiles_are_input_errors(text, needle):
    with pytest.raises(InputError, match=needle):
        parse_traffic(text)


@pytest.mark.parametrize(
    ("hours", "days", "needle"),
    [
        (ONES[:23], (Decimal(1),) * 7, "give 24 weights"),
        ((Decimal(0),) * 24, (Decimal(1),) * 7, "all zero"),
        (ONES, (Decimal(-1),) * 7, "non-negative"),
        (ONES, (Decimal("NaN"),) * 7, "non-negative"),
    ],
)
def test_bad_weights_are_input_errors(hours, days, needle):
    with pytest.raises(InputError, match=needle):
        TrafficProfile("UTC", hours, days)


# -- the engine ------------------------------------------------------------------------------------

MARCH = (utc(2026, 3, 1), utc(2026, 4, 1))
ONE_M_EACH = Workload(input=M, output=M, requests=Decimal(9))


def test_office_hours_in_tokyo_put_a_third_of_the_requests_in_the_peak(fixture_catalog):
    # 09-18 in Tokyo (UTC+9) is 00-09 UTC, Mon-Fri: 3 of its 9 hours are the 01-04 peak.
    # 9 requests: 3 at 6 and 6 at 3 = 36; spread evenly over March they would cost less
    office = preset("office-hours", "Asia/Tokyo")
    result = cost_over(fixture_catalog, "alpha-flash", ONE_M_EACH, *MARCH, traffic=office)
    assert result.cost.total == Decimal(36)
    assert (result.cost.input, result.cost.output) == (Decimal(12), Decimal(24))
    # evenly: 22 weekdays x 3 peak hours of 744 hours; 9 x (3 + 3 x 66/744)
    flat = cost_over(fixture_catalog, "alpha-flash", ONE_M_EACH, *MARCH)
    assert flat.cost.total == to_decimal(9 * (3 + Fraction(3 * 66, 744)))  # 29.395...


def test_a_profile_hour_crossing_into_the_peak_at_the_dst_change(fixture_catalog):
    # local 05:00-06:00 in Berlin is 04-05 UTC (off-peak) in CET and 03-04 UTC (peak) in CEST,
    # from 2026-03-29; in CEST only Mon 30 and Tue 31 are weekdays: 2 of March's 31 such hours
    five = only_hour(5, "Europe/Berlin")
    w = Workload(input=M, output=M, requests=Decimal(31))
    result = cost_over(fixture_catalog, "alpha-flash", w, *MARCH, traffic=five)
    assert result.cost.total == 29 * 3 + 2 * 6


def test_a_profile_with_no_traffic_in_the_period_is_an_error(fixture_catalog):
    office = preset("office-hours", "UTC")
    saturday = (utc(2026, 3, 7), utc(2026, 3, 8))
    with pytest.raises(InputError, match="has no traffic in"):
        cost_over(fixture_catalog, "alpha-flash", ONE_M_EACH, *saturday, traffic=office)
    none = Workload(input=M, output=M, requests=Decimal(0))
    assert (
        cost_over(fixture_catalog, "alpha-flash", none, *saturday, traffic=office).cost.total == 0
    )


workloads = st.builds(
    Workload,
    input=st.integers(min_value=0, max_value=10**7).map(Decimal),
    output=st.integers(min_value=0, max_value=10**7).map(Decimal),
    requests=st.integers(min_value=0, max_value=10**6).map(Decimal),
)
periods = st.tuples(
    st.integers(min_value=0, max_value=90 * 24 * 60),
    st.integers(min_value=1, max_value=9 * 24 * 60),
).map(lambda p: (utc(2026, 1, 1) + timedelta(minutes=p[0]), p[1]))


@settings(max_examples=60, deadline=None)
@given(
    model=st.sampled_from(["alpha-flash", "alpha-pro", "beta-large"]),
    w=workloads,
    p=periods,
    zone=st.sampled_from(ZONES),
)
def test_a_flat_profile_prices_exactly_like_no_profile(fixture_catalog, model, w, p, zone):
    start, minutes = p
    end = start + timedelta(minutes=minutes)
    flat = preset("flat", zone)  # in any zone: every hour weighs the same
    assert cost_over(fixture_catalog, model, w, start, end, traffic=flat) == cost_over(
        fixture_catalog, model, w, start, end
    )


@settings(max_examples=60, deadline=None)
@given(profile=profiles(), w=workloads, p=periods)
def test_a_profile_moves_requests_in_time_and_never_adds_or_loses_one(
    fixture_catalog, profile, w, p
):
    start, minutes = p
    end = start + timedelta(minutes=minutes)
    if profile.mass(start, end) == 0:
        return
    # beta-large has one rate at every instant: whenever the requests come, they cost the same
    shaped = cost_over(fixture_catalog, "beta-large", w, start, end, traffic=profile)
    even = cost_over(fixture_catalog, "beta-large", w, start, end)
    assert [getattr(shaped.cost, k) for k in KINDS] == [getattr(even.cost, k) for k in KINDS]
    stretches = [(s.start, s.end) for s in shaped.segments]
    assert sum(_shares(stretches, profile, w.requests)) == 1


# -- the command line ------------------------------------------------------------------------------


@pytest.fixture
def run(fixture_pricing_dir, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.setenv("NO_COLOR", "1")

    def invoke(*args: str):
        return CliRunner().invoke(app, [*args, "--catalog", str(fixture_pricing_dir)])

    return invoke


COMPARE = ["compare", "alpha-flash", "--input", "10k", "--output", "10k", "--requests", "900"]


def test_compare_with_traffic_prices_and_names_the_profile(run):
    result = run(
        *COMPARE, "--month", "2026-03", "--traffic", "office-hours@Asia/Tokyo", "-f", "json"
    )
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["rows"][0]["total"] == "36"
    assert doc["traffic"]["name"] == "office-hours"
    assert doc["traffic"]["timezone"] == "Asia/Tokyo"
    assert doc["traffic"]["weekdays"] == ["1", "1", "1", "1", "1", "0", "0"]
    table = run(*COMPARE, "--month", "2026-03", "--traffic", "office-hours@Asia/Tokyo")
    assert "traffic office-hours@Asia/Tokyo" in table.stdout
    plain = json.loads(run(*COMPARE, "--month", "2026-03", "-f", "json").stdout)
    assert plain["traffic"] is None


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--at", "2026-03-02", "--traffic", "office-hours@UTC"], "priced at one instant"),
        (["--traffic", "flat"], "priced at one instant"),
        (["--month", "2026-03", "--traffic", "office-hours"], "needs a time zone"),
        (["--month", "2026-03", "--traffic", "office-hours@Nowhere"], "not an IANA time zone"),
    ],
)
def test_compare_traffic_errors_are_one_line_exit_2(run, extra, needle):
    result = run(*COMPARE, *extra)
    assert result.exit_code == 2
    assert needle in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


MIX_FILE = """\
requests = 3100

[workload]
input = 10_000
output = 10_000

[traffic]
timezone = "Europe/Berlin"
hours = [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]

[[slices]]
model = "alpha-flash"
share = 100
"""


def test_a_mix_file_carries_its_profile_and_the_flag_overrides_it(run, tmp_path):
    path = tmp_path / "mix.toml"
    path.write_text(MIX_FILE)
    doc = json.loads(
        run("simulate", "--mix-file", str(path), "--month", "2026-03", "-f", "json").stdout
    )
    assert doc["cost_max"] == str(29 * 3 + 2 * 6)
    assert doc["traffic"]["name"] == "custom"
    assert doc["traffic"]["hours"][5] == "1"
    flat = run("simulate", "--mix-file", str(path), "--month", "2026-03", "--traffic", "flat")
    assert "traffic flat@UTC" in flat.stdout
    at = run("simulate", "--mix-file", str(path), "--at", "2026-03-02")
    assert at.exit_code == 2
    assert f"{path}: traffic: custom@Europe/Berlin spreads requests over a period" in at.stderr


def test_save_mix_keeps_the_profile(run, tmp_path):
    saved = tmp_path / "saved.toml"
    args = ["simulate", "--mix", "alpha-flash=100", *COMPARE[2:], "--month", "2026-03"]
    result = run(*args, "--traffic", "office-hours@Asia/Tokyo", "--save-mix", str(saved))
    assert result.exit_code == 0, result.stderr
    assert 'traffic = "office-hours@Asia/Tokyo"' in saved.read_text()
    again = run("simulate", "--mix-file", str(saved), "--month", "2026-03", "-f", "json")
    assert json.loads(again.stdout)["cost_max"] == "36"


@pytest.mark.parametrize(
    ("traffic", "where", "needle"),
    [
        ('traffic = "office-hours"', 1, "traffic: 'office-hours' needs a time zone"),
        ('traffic = "lunch@UTC"', 1, "traffic: 'lunch@UTC' is not a traffic profile"),
        ('traffic = "office-hours@"', 1, "traffic: 'office-hours' needs a time zone"),
        ('[traffic]\npreset = "flat@UTC"\ntimezone = "UTC"', 1, "traffic: give the time zone once"),
        ("[traffic]\nhours = [1, 2]", 2, "traffic.hours: List should have at least 24 items"),
        ("[traffic]\nweekdays = [1, 1, 1, 1, 1, -1, 0]", 2, "traffic.weekdays[5]: Input should be"),
        (
            '[traffic]\nweekdays = [1, 1, 1, 1, 1, "1", 0]',
            2,
            "traffic.weekdays[5]: '1' is not a number",
        ),
        (
            '[traffic]\ntimezone = "UTC"\nhours = [' + ", ".join(["0"] * 24) + "]",
            1,
            "traffic: hours: the weights are all zero",
        ),
        ("[traffic]\nweekdays = [1, 1, 1, 1, 1, 1, 1]", 1, "traffic: timezone: required"),
        (
            '[traffic]\ntimezone = "UTC"\npreset = "flat"\nweekdays = [1, 1, 1, 1, 1, 1, 1]',
            1,
            "traffic: give a preset, or hours and weekdays, not both",
        ),
        ('[traffic]\ntimezone = "UTC"\npeak = 1', 3, "traffic.peak: unknown key"),
    ],
)
def test_mix_file_traffic_errors_name_file_line_and_field(run, tmp_path, traffic, where, needle):
    path = tmp_path / "mix.toml"
    tail = (
        '\n\n[workload]\ninput = 1\noutput = 1\n\n[[slices]]\nmodel = "alpha-flash"\nshare = 100\n'
    )
    path.write_text(traffic + tail)
    result = run("simulate", "--mix-file", str(path), "--month", "2026-03")
    assert result.exit_code == 2
    assert f"{path}:{where}: {needle}" in result.stderr, result.stderr


# -- budgets ---------------------------------------------------------------------------------------

BUDGET = """\
name = "office"
limit = {limit}
period = "{period}"

[[workloads]]
model = "alpha-flash"
{requests}
input = 10_000
output = 10_000
{traffic}
"""


def check(
    run, tmp_path, *, traffic: str, period="month", requests="requests_per_month = 900", limit=30
):
    path = tmp_path / "budget.toml"
    path.write_text(BUDGET.format(limit=limit, period=period, requests=requests, traffic=traffic))
    result = run("budget", "check", str(path), "--month", "2026-03", "--horizon", "0", "-f", "json")
    return result, json.loads(result.stdout)["budgets"][0]


def test_a_month_budget_prices_its_workload_by_its_profile(run, tmp_path):
    result, doc = check(run, tmp_path, traffic='traffic = "office-hours@Asia/Tokyo"')
    assert (doc["cost"], doc["status"]) == ("36", "over")  # as in compare: 3 x 6 + 6 x 3
    assert doc["workloads"][0]["traffic"] == "office-hours@Asia/Tokyo"
    assert result.exit_code == 1
    _, flat = check(run, tmp_path, traffic="")
    assert flat["status"] == "warn" and flat["workloads"][0]["traffic"] is None


def test_requests_per_day_follow_the_profile_so_a_weekday_holds_more(run, tmp_path):
    # 500 a day on average (of 10K + 10K tokens: 5 of 1M + 1M), all on weekdays: a weekday
    # holds 7 such; a UTC weekday holds all of
    # Tokyo's 09-18 (00-09 UTC), a third of it at peak: 7 x (6 + 3 + 3) / 3 = 28
    daily = dict(period="day", requests="requests_per_day = 500", limit=20)
    _, doc = check(run, tmp_path, traffic='traffic = "office-hours@Asia/Tokyo"', **daily)
    assert doc["cost"] == "28"
    assert doc["period"]["from"] == "2026-03-02T00:00:00Z"  # a Monday
    # evenly, every weekday costs 5 x (21 x 3 + 3 x 6) / 24
    _, flat = check(run, tmp_path, traffic="", **daily)
    assert flat["cost"] == "16.875"


def test_budget_traffic_errors_name_file_line_and_field(run, tmp_path):
    path = tmp_path / "budget.toml"
    text = BUDGET.format(
        limit=30, period="month", requests="requests_per_month = 900", traffic="[workloads.traffic]"
    )
    path.write_text(text + 'timezone = "Europe/Nowhere"\n')
    result = run("budget", "check", str(path), "--month", "2026-03")
    assert result.exit_code == 2
    assert f"{path}:10: workloads[0].traffic: timezone: 'Europe/Nowhere' is not an IANA" in (
        result.stderr
    )


def test_compare_saves_a_budget_with_its_profile(run, tmp_path):
    saved = tmp_path / "saved.toml"
    args = [*COMPARE, "--month", "2026-03", "--traffic", "office-hours@Asia/Tokyo"]
    result = run(*args, "--save-budget", str(saved), "--limit", "40")
    assert result.exit_code == 0, result.stderr
    assert "office-hours" in saved.read_text()
    checked = run("budget", "check", str(saved), "--month", "2026-03", "-f", "json")
    assert json.loads(checked.stdout)["budgets"][0]["cost"] == "36"


def test_the_budget_schema_takes_a_traffic_table_or_its_text():
    schema = json.loads(CliRunner().invoke(app, ["budget", "schema"]).stdout)
    kinds = schema["$defs"]["WorkloadTable"]["properties"]["traffic"]["anyOf"]
    assert {"$ref": "#/$defs/TrafficTable"} in kinds
    assert any(k.get("type") == "string" for k in kinds)
    assert schema["$defs"]["TrafficTable"]["additionalProperties"] is False
