"""`llmcost bill --invoice`: a bill beside an invoice, line by line, on the fixture catalog.

Hand-computed (tests/fixtures/pricing, USD per 1M tokens; January 2026, before alpha-flash's
peak window): alpha-flash input 1, output 2; beta-large input 10, output 50, batch half.

- 2026-01-05 alpha-flash: 100,000 x 1 + 50,000 x 2 = 0.20; 200,000 x 1 + 25,000 x 2 = 0.25;
  the day: 0.45
- 2026-01-05 beta-large: 10,000 x 10 + 2,000 x 50 = 0.20, and the same at batch: 0.10; the
  day: 0.30, one record at the batch tier
- 2026-01-06 alpha-flash: 300,004 x 1 = 0.300004
- 2026-01-06 gamma-x (not in the catalog) and alpha-pro (no output count): rejected

The invoice (`INVOICE`) against it, gap = invoice - llmcost:

- 01-05 alpha-flash 0.45 - 0.45 = 0: match
- 01-05 alpha-pro 0.07 - 0 = 0.07: unexplained (a day of the logs, no record of it)
- 01-05 beta-large-1.0 (an alias) 0.35 - 0.30 = 0.05: explained by the batch record
- 01-06 alpha-fast (an alias) 0.30 - 0.300004 = -0.000004: rounding (under half a cent)
- 01-06 alpha-pro 0.12 - 0 = 0.12: explained, 1 record rejected
- 01-06 Gamma_X (gamma-x folded) 0.50 - 0 = 0.50: explained, 1 record rejected (the
  catalog lacks the name: that alone would explain nothing)
- 01-07 alpha-flash 1.00 - 0 = 1.00: outside, a day outside the logs' span: not compared
- totals: llmcost 1.050004, invoice 2.79, difference 1.739996, unexplained 0.07, outside 1
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmcost.cli.app import app
from llmcost.usage import invoice as inv

BILL_PRICING = Path(__file__).resolve().parent.parent / "fixtures" / "pricing"
runner = CliRunner()

RECORDS = [
    {"model": "alpha-flash", "timestamp": "2026-01-05T10:00:00Z", "input": 100_000,
     "output": 50_000},
    {"model": "alpha-flash", "timestamp": "2026-01-05T12:00:00Z", "input": 200_000,
     "output": 25_000},
    {"model": "beta-large", "timestamp": "2026-01-05T11:00:00Z", "input": 10_000, "output": 2_000},
    {"model": "beta-large", "timestamp": "2026-01-05T11:00:00Z", "input": 10_000, "output": 2_000,
     "batch": True},
    {"model": "alpha-flash", "timestamp": "2026-01-06T00:00:00Z", "input": 300_004, "output": 0},
    {"model": "gamma-x", "timestamp": "2026-01-06T09:00:00Z", "input": 1_000, "output": 1_000},
    {"model": "alpha-pro", "timestamp": "2026-01-06T09:00:00Z", "input": 1_000},
]  # fmt: skip

INVOICE = """date,model,amount,currency
2026-01-05,alpha-flash,0.45,USD
2026-01-05,alpha-pro,0.07,USD
2026-01-05,beta-large-1.0,0.35,USD
2026-01-06,alpha-fast,0.30,usd
2026-01-06,alpha-pro,0.12,USD
2026-01-06,Gamma_X,0.50,USD
2026-01-07,alpha-flash,1.00,USD
"""


def run(*args):
    return runner.invoke(app, list(args), env={"COLUMNS": "200", "NO_COLOR": "1"})


@pytest.fixture
def log(write_log):
    return write_log(RECORDS)


def compare(log, invoice: Path, *more):
    return run("bill", str(log), "--invoice", str(invoice), "--catalog", str(BILL_PRICING), *more)


def write(tmp_path: Path, text: str, name: str = "invoice.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_each_line_beside_the_bill_with_its_cause(log, tmp_path):
    result = compare(log, write(tmp_path, INVOICE), "--format", "json", "--allow-rejects")
    assert result.exit_code == 1, result.stderr  # 0.07 unexplained, over 0.01
    doc = json.loads(result.stdout)
    lines = [(x["day"], x["model"], x["llmcost"], x["invoice"], x["difference"], x["status"],
              x["explained_by"]) for x in doc["lines"]]  # fmt: skip
    assert lines == [
        ("2026-01-05", "alpha-flash", "0.45", "0.45", "0", "match", []),
        ("2026-01-05", "alpha-pro", "0", "0.07", "0.07", "unexplained", []),
        ("2026-01-05", "beta-large", "0.3", "0.35", "0.05", "explained", ["tier"]),
        ("2026-01-06", "alpha-flash", "0.300004", "0.3", "-0.000004", "rounding", []),
        ("2026-01-06", "alpha-pro", "0", "0.12", "0.12", "explained", ["rejected"]),
        ("2026-01-06", "gamma-x", "0", "0.5", "0.5", "explained", ["rejected"]),
        ("2026-01-07", "alpha-flash", "0", "1", "1", "outside", ["outside_logs"]),
    ]
    assert doc["totals"] == {"llmcost": "1.050004", "invoice": "2.79", "difference": "1.739996",
                             "unexplained": "0.07", "outside": "1"}  # fmt: skip
    assert doc["lines"][5]["unresolved"] == "no close name: see llmcost prices"
    assert doc["lines"][2]["tier_records"] == 1 and doc["lines"][2]["tiers"] == ["batch"]
    assert doc["lines"][2]["invoice_names"] == ["beta-large-1.0"]
    assert doc["lines"][5]["invoice_names"] == ["Gamma_X"]  # folded, it is the log's gamma-x
    assert doc["bill"] == {"records": 7, "priced": 5, "rejected": 2}
    assert doc["logs_span"] == {"from": "2026-01-05", "to": "2026-01-06"}
    assert (doc["over_tolerance"], doc["exit_code"], doc["tolerance"]) == (1, 1, "0.01")
    assert "1 unexplained gap(s) over the tolerance of 0.01 USD" in result.stderr


def test_tolerance_and_the_bills_own_exit(log, tmp_path):
    invoice = write(tmp_path, INVOICE)
    assert compare(log, invoice, "--allow-rejects", "--tolerance", "0.07").exit_code == 0
    assert compare(log, invoice, "--allow-rejects", "--tolerance", "0.069").exit_code == 1
    # rejected records: exit 1 as `bill` does, though they explain the gaps
    result = compare(log, invoice, "--tolerance", "1")
    assert result.exit_code == 1 and "2 record(s) rejected" in result.stderr
    assert compare(log, invoice, "--tolerance", "1", "--strict").exit_code == 2


def test_table_has_a_totals_row(log, tmp_path):
    result = compare(log, write(tmp_path, INVOICE), "--allow-rejects")
    rows = [line.split() for line in result.stdout.splitlines()]
    assert ["2026-01-06", "gamma-x", "$0.00", "$0.50", "$0.50", "explained", "-", "1", "record(s)",
            "rejected;", "a", "name", "the", "catalog", "lacks", "(no", "close", "name:", "see",
            "llmcost", "prices)"] in rows  # fmt: skip
    assert ["total", "-", "$1.05", "$2.79", "$1.74", "-", "$0.07", "-"] in rows


@pytest.mark.parametrize("fmt", ["csv", "markdown"])
def test_csv_and_markdown(log, tmp_path, fmt):
    result = compare(log, write(tmp_path, INVOICE), "--allow-rejects", "--format", fmt)
    if fmt == "csv":
        lines = result.stdout.splitlines()
        assert lines[0] == (
            "day,model,currency,llmcost,invoice,difference,status,unexplained,explanation"
        )
        assert "2026-01-06,alpha-flash,USD,0.300004,0.3,-0.000004,rounding,," in lines[4]
        assert lines[-1] == "total,,USD,1.050004,2.79,1.739996,,0.07,"
    else:
        assert "| 2026-01-05 | beta-large |" in result.stdout


def test_cost_export_spellings_summed_per_day_and_model(log, tmp_path):
    """An export's columns (`line_item`, `cost_usd`, others ignored), a BOM, instants for days,
    and a model billed on several lines (input and output): summed."""
    text = (
        "\ufeffDate,Project,Line_Item,Cost_USD\n"
        '2026-01-05T00:00:00Z,p1,"alpha-flash, input",0.30\n'
        '2026-01-05T00:00:00Z,p1,"alpha-flash, output",0.15\n'
    )
    result = compare(log, write(tmp_path, text), "--format", "json", "--allow-rejects")
    doc = json.loads(result.stdout)
    first = doc["lines"][0]
    assert (first["model"], first["invoice"], first["status"]) == ("alpha-flash", "0.45", "match")
    assert first["invoice_lines"] == [2, 3]
    # the bill's lines the invoice lacks: gaps of their own, negative; beta's are left out
    assert doc["left_out"] == {"providers": ["beta"], "lines": 1, "llmcost": "0.3"}
    later = next(x for x in doc["lines"] if (x["day"], x["model"]) == ("2026-01-06", "alpha-flash"))
    assert (later["difference"], later["explained_by"]) == ("-0.300004", ["outside_invoice"])


def test_a_repeated_line_is_counted_and_named(log, tmp_path):
    text = "day,model,amount\n2026-01-05,alpha-flash,0.45\n2026-01-05,alpha-flash,0.45\n"
    result = compare(log, write(tmp_path, text), "--format", "json", "--allow-rejects")
    assert "invoice.csv:3 repeats line 2 exactly: both are counted" in result.stderr
    assert json.loads(result.stdout)["lines"][0]["invoice"] == "0.9"


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("date,model,amount\n2026-01-05,alpha-flash,1e309\n", ":2", "amount: '1e309' is not"),
        ("date,model,amount\n2026-01-05,alpha-flash,NaN\n", ":2", "amount: 'NaN' is not"),
        ("date,model,amount\n2026-01-05,alpha-flash,inf\n", ":2", "amount: 'inf' is not"),
        ("date,model,amount\n2026-01-05,alpha-flash,-1.00\n", ":2", "amount: -1.00 is negative"),
        ('date,model,amount\n2026-01-05,alpha-flash,"1,234.00"\n', ":2", "is not an amount"),
        ("date,model,amount\n2026-01-05,alpha-flash,0.1,x\n", ":2", "4 fields where the header"),
        ("date,model,amount\n05/01/2026,alpha-flash,1\n", ":2", "date: '05/01/2026' is not"),
        ("date,model,amount\n2026-02-30,alpha-flash,1\n", ":2", "date: '2026-02-30' is not"),
        ("date,model,amount\n2026-01-05,,1\n", ":2", "model: empty"),
        ("date,amount\n2026-01-05,1\n", ":1", "no model column"),
        ("date,day,model,cost\n", ":1", "columns date and day both give the day"),
        ("date,model,amount\n", "", "no invoice lines"),
        ("", ":1", "no header row"),
        (
            "date,model,amount,currency\n2026-01-05,a,1,USD\n2026-01-05,a,1,CNY\n",
            ":3",
            "currency: CNY where the lines before are in USD",
        ),
        ("date,model,cost_usd,currency\n2026-01-05,a,1,EUR\n", ":2", "EUR in a cost_usd column"),
        ("date,model,amount,currency\n2026-01-05,a,1,dollars\n", ":2", "not a currency code"),
        ('date,model,amount\n2026-01-05,"a,1\n', ":", "not a valid CSV"),
    ],
)
def test_bad_invoices_exit_2_naming_the_line(log, tmp_path, text, where, words):
    invoice = write(tmp_path, text)
    result = compare(log, invoice)
    assert result.exit_code == 2, result.stdout
    assert f"{invoice}{where}" in result.stderr and words in result.stderr, result.stderr
    assert "hint:" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_other_currency_than_the_bill(log, tmp_path):
    invoice = write(tmp_path, "date,model,amount,currency\n2026-01-05,alpha-flash,3.15,CNY\n")
    result = compare(log, invoice)
    assert result.exit_code == 2 and "the invoice is in CNY, the bill in USD" in result.stderr
    assert "--currency CNY" in result.stderr
    # alpha-flash in CNY: 100,000 x 7 + 50,000 x 14 + 200,000 x 7 + 25,000 x 14 = 3.15
    doc = json.loads(compare(log, invoice, "--currency", "CNY", "--format", "json",
                             "--allow-rejects").stdout)  # fmt: skip
    assert doc["lines"][0]["status"] == "match" and doc["currency"] == "CNY"


def test_not_utf8_and_too_large(log, tmp_path):
    bad = tmp_path / "latin1.csv"
    bad.write_bytes(b"date,model,amount\n2026-01-05,caf\xe9,1\n")  # 18 + 14 bytes before it
    result = compare(log, bad)
    assert result.exit_code == 2 and f"{bad}:2: byte 33 is not UTF-8" in result.stderr
    huge = tmp_path / "huge.csv"
    with open(huge, "wb") as handle:  # sparse: nothing is written, its size is over the bound
        handle.truncate(inv.MAX_INVOICE_BYTES + 1)
    result = compare(log, huge)
    assert result.exit_code == 2 and "larger than 64 MiB" in result.stderr


def test_too_many_lines(log, tmp_path, monkeypatch):
    monkeypatch.setattr(inv, "MAX_INVOICE_LINES", 2)
    text = "day,model,amount\n" + "2026-01-05,alpha-flash,0.15\n" * 3
    result = compare(log, write(tmp_path, text))
    assert result.exit_code == 2 and "more than 2 lines" in result.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--tolerance", "1e309"], "--tolerance: '1e309' is not an amount"),
        (["--tolerance", "-0.01"], "--tolerance: '-0.01' is not an amount"),
        (["--group-by", "model"], "--group-by cannot be given with --invoice"),
        (["--format", "html"], "html"),
    ],
)
def test_bad_options(log, tmp_path, args, words):
    result = compare(log, write(tmp_path, INVOICE), *args)
    assert result.exit_code == 2 and words in result.stderr, result.stderr


def test_tolerance_needs_an_invoice(log):
    result = run("bill", str(log), "--tolerance", "0.01", "--catalog", str(BILL_PRICING))
    assert result.exit_code == 2 and "--tolerance is given without --invoice" in result.stderr


def test_rounding_is_half_a_unit_of_the_written_place(bill_catalog):
    """`0.30` may stand for up to 0.005 more or less; `0.304` for 0.0005; `1` for a cent's half."""
    assert inv._amount("0.30", "f:2") == (inv.Decimal("0.30"), inv.Decimal("0.005"))
    assert inv._amount("0.304", "f:2")[1] == inv.Decimal("0.0005")
    assert inv._amount("1", "f:2")[1] == inv.Decimal("0.005")
    assert inv._amount("$2.5", "f:2")[0] == inv.Decimal("2.5")


def test_providers_the_invoice_does_not_bill_are_left_out(log, tmp_path):
    """An invoice of beta's: the bill's alpha lines are not gaps, they are left out, and said."""
    invoice = write(tmp_path, "date,model,amount\n2026-01-05,beta-large,0.30\n")
    result = compare(log, invoice, "--format", "json", "--allow-rejects")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert [(x["model"], x["status"]) for x in doc["lines"]] == [("beta-large", "match")]
    # alpha-flash: 0.45 on 01-05, 0.300004 on 01-06
    assert doc["left_out"] == {"providers": ["alpha"], "lines": 2, "llmcost": "0.750004"}
    assert doc["totals"]["llmcost"] == "0.3"


def test_an_ambiguous_name_is_bad_input(tmp_path, bill_catalog):
    from llmcost.errors import InputError, UnknownModel

    invoice = write(tmp_path, "date,model,amount\n2026-01-05,beta-large-1.0,0.30\n")
    line = inv.read_invoice(invoice).lines[0]
    assert inv._invoice_model(bill_catalog, line, "f.csv") == ("beta-large", True, None)

    class Hosts:  # a name two hosts carry, neither the maker (as `Catalog._pick` words it)
        def resolve(self, name):
            raise UnknownModel(f"{name!r} is ambiguous: 2 offerings carry that name (a/x, b/x)",
                               hint="name one as provider/model")  # fmt: skip

    with pytest.raises(InputError) as caught:
        inv._invoice_model(Hosts(), line, "f.csv")
    assert caught.value.one_line().startswith("f.csv:2: model: 'beta-large-1.0' is ambiguous")


def test_rejected_records_placed_from_a_gzip_log(write_log, bill_catalog):
    """Read back from their lines: gamma-x (not in the catalog: its name as written) and
    alpha-fast (an alias: its offering), by their UTC day; a line with no instant is not
    placed."""
    path = write_log(
        [
            {"model": "gamma-x", "created": 1767657600, "input": 1, "output": 1},  # 01-06
            {"model": "alpha-fast", "timestamp": "2026-01-05T23:30:00-01:00", "input": 1},
            {"model": "alpha-pro", "input": 1, "output": 1},
        ],
        "rejected.jsonl.gz",
    )
    from llmcost.usage.bill import bill

    result = bill(bill_catalog, [path], group_by=inv.BILL_KEYS)
    assert result.rejected == 3
    placed, unplaced = inv.rejected_by_day_model(bill_catalog, result.rejections)
    day = inv.date.fromisoformat
    assert placed == {(day("2026-01-06"), "gamma-x"): 1, (day("2026-01-06"), "alpha-flash"): 1}
    assert unplaced == 1


def test_an_invoice_sharing_no_day_with_the_logs_fails(log, tmp_path):
    """Nothing compared is not a pass: the lines are `outside`, not explained, and exit 1."""
    invoice = write(tmp_path, "date,model,amount\n2026-02-01,alpha-flash,1499.97\n")
    result = compare(log, invoice, "--allow-rejects", "--format", "json")
    assert result.exit_code == 1, result.stderr
    doc = json.loads(result.stdout)
    assert [(x["status"], x["explained_by"]) for x in doc["lines"] if x["invoice_lines"]] == [
        ("outside", ["outside_logs"])
    ]
    # outside, both ways: 1499.97 the invoice's, less the logs' 0.45 and 0.300004
    assert (doc["overlap"], doc["totals"]["outside"]) == (False, "1499.219996")
    assert (
        "the invoice (2026-02-01 to 2026-02-01) shares no day with the logs (2026-01-05 to "
        "2026-01-06): its 1 line(s), USD 1499.97, are not compared"
    ) in result.stderr
    assert "nothing was compared" in result.stderr and "--since" not in result.stderr


def test_since_cutting_out_the_invoices_days_is_named(log, tmp_path):
    invoice = write(tmp_path, "date,model,amount\n2026-01-05,alpha-flash,0.45\n")
    result = compare(log, invoice, "--allow-rejects", "--since", "2026-01-06")
    assert result.exit_code == 1, result.stderr
    assert "(--since left out the logs of those days)" in result.stderr
    result = compare(log, invoice, "--allow-rejects", "--until", "2026-01-05")
    assert result.exit_code == 1 and "--until left out" in result.stderr
    assert "no priced record" in result.stderr


def test_a_day_past_the_logs_is_warned_of_not_explained(log, tmp_path):
    result = compare(log, write(tmp_path, INVOICE), "--allow-rejects", "--tolerance", "0.07")
    assert result.exit_code == 0, result.stderr  # the spans overlap: 01-07 is said, not failed
    assert ("1 invoice line(s), USD 1.00, on days outside the logs "
            "(2026-01-05 to 2026-01-06): not compared") in result.stderr  # fmt: skip


def test_a_name_the_catalog_lacks_explains_nothing(log, tmp_path):
    text = "date,model,amount\n2026-01-05,alpha-flash input tokens,3000\n"
    result = compare(log, write(tmp_path, text), "--allow-rejects", "--tolerance", "0.05",
                     "--format", "json")  # fmt: skip
    assert result.exit_code == 1, result.stderr
    line = next(x for x in json.loads(result.stdout)["lines"] if x["invoice_lines"])
    assert (line["model"], line["status"], line["explained_by"]) == (
        "alpha-flash-input-tokens", "unexplained", [])  # fmt: skip
    assert line["unresolved"] == "its first words name 'alpha-flash'"


def test_a_tier_explains_no_more_than_its_records_cost(log, tmp_path):
    """beta-large on 01-05: 0.30, of which the batch record 0.10 (0.20 at standard). A gap of
    0.05 it may explain; one of 10.29, or of -0.29, it cannot."""
    cases = (("0.35", "explained"), ("10.59", "unexplained"), ("0.01", "unexplained"))
    for amount, status in cases:
        text = f"date,model,amount\n2026-01-05,beta-large,{amount}\n"
        result = compare(log, write(tmp_path, text), "--allow-rejects", "--format", "json")
        line = next(x for x in json.loads(result.stdout)["lines"] if x["model"] == "beta-large")
        assert line["status"] == status, (amount, line)
        assert line["tier_records"] == 1


def test_amounts_past_28_digits_stay_exact(log, tmp_path):
    # 01-06 alpha-flash: 0.300004 by llmcost
    text = "date,model,amount\n2026-01-06,alpha-flash,123456789012345678901234.56\n"
    result = compare(log, write(tmp_path, text), "--allow-rejects", "--format", "json")
    doc = json.loads(result.stdout)
    line = next(x for x in doc["lines"] if x["invoice_lines"])
    assert line["difference"] == "123456789012345678901234.259996"
    assert doc["totals"]["unexplained"] == "123456789012345678901234.259996"
    assert doc["totals"]["difference"] == "123456789012345678901233.809996"  # less 0.45 on 01-05


def test_csv_total_row_carries_the_exact_unexplained(log, tmp_path):
    # 01-06 alpha-flash: 0.28 - 0.300004 = -0.020004, over half a cent
    text = "date,model,amount\n2026-01-06,alpha-flash,0.28\n"
    result = compare(log, write(tmp_path, text), "--allow-rejects", "--format", "csv")
    total = result.stdout.splitlines()[-1].split(",")
    assert total[:3] == ["total", "", "USD"] and "-0.020004" in total
    assert not any("$" in cell for cell in total)


def test_the_line_limit_is_checked_before_parsing(log, tmp_path, monkeypatch):
    monkeypatch.setattr(inv, "MAX_INVOICE_LINES", 2)
    text = "day,model,amount\n2026-01-05,alpha-flash,oops\n" + "2026-01-05,alpha-flash,1\n" * 2
    result = compare(log, write(tmp_path, text))
    assert result.exit_code == 2 and "more than 2 lines" in result.stderr, result.stderr


def test_too_many_digits_says_the_limit(log, tmp_path):
    digits = "12345678901234567890123456789012"
    result = compare(log, write(tmp_path, f"date,model,amount\n2026-01-05,alpha-flash,{digits}\n"))
    assert result.exit_code == 2 and "has more than 30 digits" in result.stderr, result.stderr


def test_a_gzip_invoice_is_named_so(log, tmp_path):
    packed = tmp_path / "invoice.csv.gz"
    packed.write_bytes(inv.gzip.compress(INVOICE.encode()))
    result = compare(log, packed)
    assert result.exit_code == 2 and "gzip-compressed" in result.stderr, result.stderr
    assert f"gunzip -k {packed}" in result.stderr


def test_a_field_too_long_is_named_so(log, tmp_path):
    long = write(tmp_path, "date,model,amount\n2026-01-05," + "x" * 200_000 + ",1\n")
    result = compare(log, long)
    assert result.exit_code == 2, result.stderr
    assert f"{long}:2: a field longer than 131,072 characters" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_line_break_in_a_name_keeps_the_row_one_line(log, tmp_path):
    text = 'date,model,amount\n2026-01-05,"gamma\nx",0.50\n'
    result = compare(log, write(tmp_path, text), "--allow-rejects")
    rows = [line for line in result.stdout.splitlines() if "gamma" in line]
    assert len(rows) == 1 and "gamma\\nx" in rows[0], result.stdout
