"""Command line interface (placeholder replaced by the demo command below)."""
