"""The bitemporal price catalog: its file schema, loading and validation, and lookups."""
