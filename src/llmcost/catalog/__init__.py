"""The bitemporal price catalog: its file schema, loading and validation, lookups, and its
export as flat tables for a warehouse (`export`, `pricetable`)."""
