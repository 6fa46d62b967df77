"""Usage logs: provider-shaped usage records priced at each record's own instant.

`pricetable` flattens the catalog into a price table (the bitemporal winner already resolved
per stretch of valid time); `bill` loads it into DuckDB next to the logs and prices every
record in SQL, exactly, in scaled integers.
"""
