"""Where the expression runs: DuckDB in this process, or Spark.

DuckDB runs the expression as the SQL Ibis compiles for it, on a connection of its own
(Ibis 12's DuckDB backend does not work with DuckDB 2, which llmcost's `bill` uses): rows
come back through the DB-API, DECIMALs as exact `Decimal`s. Spark runs it through Ibis's
PySpark backend on `SparkSession.builder.getOrCreate()`, so spark-submit, a master URL or
Spark Connect (`SPARK_REMOTE`) work as a user runs them.
"""

from __future__ import annotations

import contextlib
import itertools

from llmcost.errors import InputError

_names = itertools.count()


def _need(module: str, engine: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise InputError(
            f"--engine {engine} needs {module.split('.')[0]}", hint='pip install "llmcost[spark]"'
        ) from None


class DuckEngine:
    name = "duckdb"

    def __init__(self) -> None:
        import duckdb

        _need("ibis", "duckdb")
        self.con = duckdb.connect()
        self.con.execute("SET TimeZone = 'UTC'")

    def view(self, sql: str):
        """An Ibis table over a DuckDB query (a temporary view)."""
        import ibis
        from ibis.backends.sql.datatypes import DuckDBType

        name = f"llmcost_{next(_names)}"
        self.con.execute(f"CREATE TEMP VIEW {name} AS {sql}")
        described = self.con.execute(f"DESCRIBE {name}").fetchall()
        schema = {col: DuckDBType.from_string(kind) for col, kind, *_ in described}
        return ibis.table(schema, name=name)

    def materialize(self, expr):
        """`expr` computed once into a temporary table: the queries over it compile fast."""
        import ibis

        return self.view_of_table(ibis.to_sql(expr, dialect="duckdb"))

    def view_of_table(self, sql: str):
        import ibis
        from ibis.backends.sql.datatypes import DuckDBType

        name = f"llmcost_{next(_names)}"
        self.con.execute(f"CREATE TEMP TABLE {name} AS {sql}")
        described = self.con.execute(f"DESCRIBE {name}").fetchall()
        schema = {col: DuckDBType.from_string(kind) for col, kind, *_ in described}
        return ibis.table(schema, name=name)

    def memtable(self, rows: list[dict], schema: dict):
        import ibis
        import pyarrow as pa

        ischema = ibis.schema(schema)
        data = pa.Table.from_pylist(rows, schema=ischema.to_pyarrow())
        name = f"llmcost_{next(_names)}"
        self.con.register(name, data)
        return ibis.table(ischema, name=name)

    def rows(self, expr) -> list[dict]:
        import ibis

        cur = self.con.execute(ibis.to_sql(expr, dialect="duckdb"))
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    def close(self) -> None:
        self.con.close()


class SparkEngine:
    name = "spark"

    def __init__(self, session=None) -> None:
        ibis = _need("ibis", "spark")
        sql = _need("pyspark.sql", "spark")
        if session is None:
            # the report goes to stdout and one summary line to stderr: no progress bars,
            # no INFO/WARN lines (a session spark-submit made keeps its own settings)
            builder = sql.SparkSession.builder.appName("llmcost")
            session = builder.config("spark.ui.showConsoleProgress", "false").getOrCreate()
            # Spark Connect has no SparkContext to set it on
            with contextlib.suppress(Exception):
                session.sparkContext.setLogLevel("ERROR")
        self.session = session
        # Ibis sets the session's time zone to UTC; the expression needs none (it reads no
        # TIMESTAMP), so the user's session is given back as it was
        zone = session.conf.get("spark.sql.session.timeZone")
        self.con = ibis.pyspark.connect(session)
        session.conf.set("spark.sql.session.timeZone", zone)

    def dataframe(self, df):
        """An Ibis table over a Spark DataFrame (a temporary view)."""
        name = f"llmcost_{next(_names)}"
        df.createOrReplaceTempView(name)
        return self.con.table(name)

    def materialize(self, expr):
        """`expr` computed once and cached: the queries over it compile and run fast."""
        import ibis

        df = self.session.sql(ibis.to_sql(expr, dialect="pyspark")).cache()
        return self.dataframe(df)

    def memtable(self, rows: list[dict], schema: dict):
        import ibis

        ischema = ibis.schema(schema)
        return self.dataframe(self.session.createDataFrame(
            [tuple(r[c] for c in ischema.names) for r in rows] or [],
            schema=_spark_schema(ischema),
        ))  # fmt: skip

    def rows(self, expr) -> list[dict]:
        return self.con.to_pyarrow(expr).to_pylist()

    def close(self) -> None:
        pass  # the session is the user's (or the test run's): never stopped here


def _spark_schema(schema):
    from pyspark.sql import types as T

    kinds = {"string": T.StringType(), "int64": T.LongType(), "boolean": T.BooleanType()}
    return T.StructType(
        [T.StructField(n, kinds[str(t).lstrip("!")], True) for n, t in schema.items()]
    )


def engine_named(name: str, session=None):
    if name == "duckdb":
        return DuckEngine()
    if name == "spark":
        return SparkEngine(session)
    raise InputError(f"--engine {name!r} is not an engine", hint="duckdb or spark")
