"""`budget check --format github | junit`: the findings of `budget.report` as CI shows them.

Kept out of `render.py`: only `budget check` has findings that point at a file and line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from xml.etree import ElementTree as ET

from llmcost.budget.report import findings
from llmcost.budget.results import BudgetFailed, BudgetResult
from llmcost.render import show, show_money

CI_FORMATS = ("github", "junit")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github(results: Sequence[BudgetResult]) -> str:
    """GitHub workflow commands: one annotation per finding, on the budget file's line."""
    lines = []
    for result in results:
        for f in findings(result):
            props = [f"file={_escape_property(f.file)}"]
            if f.line is not None:
                props.append(f"line={f.line}")
            props.append(f"title={_escape_property(f.title)}")
            lines.append(f"::{f.level} {','.join(props)}::{_escape_data(f.text)}")
    return "\n".join(lines) + "\n"


def junit(results: Sequence[BudgetResult]) -> str:
    """JUnit XML: one test case per budget; `over` is a failure, `error` an error, and
    warnings go to the case's system-out. Only what the common JUnit schema allows (the
    Jenkins/Surefire junit-10.xsd, tests/fixtures/junit): a test case has no `file`
    attribute there, so the file and line are in the case's text."""
    suite = ET.Element(
        "testsuite",
        name="llmcost budget check",
        tests=str(len(results)),
        failures=str(sum(r.status == "over" for r in results)),
        errors=str(sum(r.status == "error" for r in results)),
        skipped="0",
    )
    for result in results:
        case = ET.SubElement(
            suite, "testcase", classname="llmcost.budget", name=result.name or result.file
        )
        texts = [
            f"{f.level}: "
            + (f.text if f.text.startswith(f.file) else f"{_at(f.file, f.line)}: {f.text}")
            for f in findings(result)
        ]
        if isinstance(result, BudgetFailed):
            node = ET.SubElement(case, "error", message=result.error, type="error")
            node.text = "\n".join(texts)
        elif result.status == "over":
            cur = result.budget.currency
            message = (
                f"{show_money(result.cost, cur)} of {show_money(result.budget.limit, cur)} "
                f"({show(result.share, 'ratio')})"
            )
            node = ET.SubElement(case, "failure", message=message, type="over")
            node.text = "\n".join(texts)
        else:
            ET.SubElement(case, "system-out").text = "\n".join(texts)
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    xml = ET.tostring(root, "unicode")
    # XML 1.0 has no place for control characters (a budget name may hold one): replace them
    xml = _CONTROL.sub("\ufffd", xml)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + xml + "\n"


def _at(file: str, line: int | None) -> str:
    return f"{file}:{line}" if line is not None else file
