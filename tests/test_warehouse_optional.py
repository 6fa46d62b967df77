"""The base install stays small and fast: nothing of Ibis, Spark or pyarrow is imported by
the CLI or by `llmcost.warehouse` until a warehouse command or `price` runs."""

from __future__ import annotations

import subprocess
import sys


def test_cli_and_package_import_no_ibis_or_spark():
    code = (
        "import sys, llmcost.cli.app, llmcost.warehouse, llmcost.catalog.export; "
        "heavy = [m for m in ('ibis', 'pyspark', 'pyarrow', 'sqlglot') if m in sys.modules]; "
        "print(heavy)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
