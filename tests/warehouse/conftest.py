"""Fixtures of the warehouse tests: the shipped catalog, one Spark session for the whole
run (a JVM starts slowly), under a session time zone that is not UTC on purpose."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

from llmcost.catalog.load import load_catalog

PRICING = Path(__file__).resolve().parents[2] / "pricing"
SESSION_TIME_ZONE = "America/Los_Angeles"  # a record's day and hour must not move with it

# CI installs the spark extra and a JRE: there a missing one fails the run, never skips it
_skip = pytest.fail if os.environ.get("CI") else pytest.skip

if importlib.util.find_spec("ibis") is None:
    if os.environ.get("CI"):
        pytest.fail('CI must install the spark extra: pip install ".[test,spark]"', pytrace=False)
    pytest.skip('the warehouse tests need the spark extra: pip install ".[spark]"',
                allow_module_level=True)  # fmt: skip


@pytest.fixture(scope="session")
def shipped():
    return load_catalog(PRICING)


@pytest.fixture(scope="session")
def spark():
    if importlib.util.find_spec("pyspark") is None:
        _skip("pyspark is not installed (pip install '.[spark]')")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        _skip("no Java runtime for Spark (apt-get install default-jre-headless)")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("llmcost-tests")
        .config("spark.sql.session.timeZone", SESSION_TIME_ZONE)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
