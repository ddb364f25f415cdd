"""Annotate claims and their attribution in news: ingest, pre-annotate, Label Studio round trip, agreement, gold, export."""

__version__ = "0.1.0"
