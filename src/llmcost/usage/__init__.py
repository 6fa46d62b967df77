"""Usage logs: provider-shaped usage records priced at each record's own instant.

`bill` reads the logs in DuckDB (`readers`), checks and places every record in the catalog's
price grid (`query`, `pricegrid`) and prices the summed token counts exactly in Python.
The catalog as flat tables for a warehouse is `catalog.export`; pricing on Spark or in a
warehouse is `llmcost.warehouse`.
"""
