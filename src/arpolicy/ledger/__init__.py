"""The columnar ledger: Polars tables, allocation kernel and positions."""
